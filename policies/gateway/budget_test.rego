package gateway

test_budget_from_team if {
	budget == {"limit_usd": 500, "period": "month", "scope": "team"} with input as {"key": {"team": "research"}}
		with data.teams as {"research": {"monthly_budget_usd": 500}}
}

test_budget_alert_thresholds_from_team_data if {
	budget == {"limit_usd": 500, "period": "month", "scope": "team", "alert_at": [75, 100]} with input as {"key": {"team": "research"}}
		with data.teams as {"research": {"monthly_budget_usd": 500, "budget_alert_at": [75, 100]}}
}

test_no_budget_without_team_data if {
	not budget with input as {"key": {"team": "other"}}
		with data.teams as {"research": {"monthly_budget_usd": 500}}
}

test_spent_budget_is_denied_with_429 if {
	d := decision with input as {"request": {"model": "m"}, "key": {"team": "research"}, "usage": {"team": {"month_usd": 500}}}
		with data.teams as {"research": {"monthly_budget_usd": 500}}
	d.allowed == false
	d.http_status == 429
}

test_budget_left_is_allowed if {
	allowed with input as {"request": {"model": "m"}, "key": {"team": "research"}, "usage": {"team": {"month_usd": 499.99}}}
		with data.teams as {"research": {"monthly_budget_usd": 500}}
}
