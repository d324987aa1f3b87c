package gateway

feature_teams := {"search": {"allow_betas": ["files-api-2025-04-14"], "allow_server_tools": ["web_search"]}}

test_team_features_reach_the_decision if {
	d := decision with input as {"request": {"model": "m", "betas": ["files-api-2025-04-14"], "server_tools": ["web_search_20250305"]}, "key": {"team": "search"}}
		with data.teams as feature_teams
	d.allowed
	d.allow_betas == ["files-api-2025-04-14"]
	d.allow_server_tools == ["web_search"]
	"features: team 'search' may use more betas or server tools" in d.reasons
}

test_no_features_for_other_teams if {
	d := decision with input as {"request": {"model": "m", "betas": ["files-api-2025-04-14"], "server_tools": []}, "key": {"team": "other"}}
		with data.teams as feature_teams
	not d.allow_betas
	not d.allow_server_tools
}
