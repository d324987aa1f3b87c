package gateway

support_teams := {"support": {
	"rate_limit": {"rpm": 120, "tpm": 50000},
	"business_hours": {"off_hours_rpm": 20},
	"max_tokens": 1024,
	"log_prompts": true,
}}

at(weekday, hour) := {"key": {"team": "support"}, "time": {"weekday": weekday, "hour": hour}, "signals": {"pii_types": []}}

test_business_hours_use_the_team_limit if {
	rate_limit == {"rpm": 120, "tpm": 50000} with input as at("wednesday", 8) with data.teams as support_teams
	rate_limit == {"rpm": 120, "tpm": 50000} with input as at("friday", 17) with data.teams as support_teams
}

test_off_hours_lower_the_rpm if {
	rate_limit == {"rpm": 20, "tpm": 50000} with input as at("wednesday", 7) with data.teams as support_teams
	rate_limit == {"rpm": 20, "tpm": 50000} with input as at("friday", 18) with data.teams as support_teams
	rate_limit == {"rpm": 20, "tpm": 50000} with input as at("saturday", 12) with data.teams as support_teams
}

test_off_hours_without_a_team_limit if {
	rate_limit == {"rpm": 5} with input as at("sunday", 3)
		with data.teams as {"support": {"business_hours": {"off_hours_rpm": 5}}}
}

test_no_team_no_limits if {
	not rate_limit with input as {"key": {"team": "x"}, "time": {"weekday": "monday", "hour": 3}} with data.teams as support_teams
	not max_tokens with input as {"key": {"team": "x"}} with data.teams as support_teams
}

test_max_tokens_cap if {
	max_tokens == 1024 with input as at("monday", 9) with data.teams as support_teams
}

test_log_prompts_only_without_pii if {
	log_prompts with input as at("monday", 9) with data.teams as support_teams with data.pii.types as ["email"]
	not log_prompts with input as object.union(at("monday", 9), {"signals": {"pii_types": ["email"]}})
		with data.teams as support_teams
		with data.pii.types as ["email"]
}

test_team_tag if {
	tags["team:support"] with input as at("monday", 9) with data.teams as support_teams
}
