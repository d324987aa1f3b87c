package gateway

model_teams := {"research": {"models": ["gpt-4*", "claude-*"]}}

test_team_model_allowed if {
	allowed with input as {"request": {"model": "gpt-4.1"}, "key": {"team": "research"}}
		with data.teams as model_teams
}

test_team_model_denied if {
	not allowed with input as {"request": {"model": "gemini-flash"}, "key": {"team": "research"}}
		with data.teams as model_teams
	deny == {{"status": 403, "message": "model 'gemini-flash' is not allowed for team 'research'"}} with input as {"request": {"model": "gemini-flash"}, "key": {"team": "research"}}
		with data.teams as model_teams
}

test_unknown_team_may_use_any_model if {
	allowed with input as {"request": {"model": "gemini-flash"}, "key": {"team": "nobody"}}
		with data.teams as model_teams
}

test_anonymous_may_use_any_model if {
	allowed with input as {"request": {"model": "gemini-flash"}, "key": {"team": null, "name": null}}
		with data.teams as model_teams
}

test_key_list_applies_on_top_of_team if {
	not allowed with input as {"request": {"model": "gpt-4o"}, "key": {"team": "research", "name": "ci-bot"}}
		with data.teams as model_teams
		with data.keys as {"ci-bot": {"models": ["mock*"]}}
}

test_model_patterns if {
	model_matches("gpt-4o", "gpt-4o")
	not model_matches("gpt-4o", "gpt-4o-mini")
	model_matches("gpt-4*", "gpt-4.1")
	model_matches("gpt-4*", "gpt-4")
	not model_matches("gpt-4*", "gpt-3.5")
	model_matches("*", "anything")
	model_matches("claude-*-4-?", "claude-sonnet-4-5")
	not model_matches("claude-*-4-?", "claude-sonnet-4-50")
	model_matches("gemini-{flash,pro}", "gemini-pro")
	model_matches("mock[0-9]", "mock7")
}
