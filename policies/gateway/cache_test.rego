package gateway

test_no_cache_by_default if {
	d := decision with input as {"request": {"model": "m"}, "key": {"team": "research"}}
		with data.teams as {"research": {"monthly_budget_usd": 500}}
	not d.cache
}

test_cache_from_team_data if {
	d := decision with input as {"request": {"model": "m"}, "key": {"team": "research"}}
		with data.teams as {"research": {"cache": {"mode": "read_write", "ttl_s": 600, "scope": "team"}}}
	d.cache == {"mode": "read_write", "ttl_s": 600, "scope": "team"}
	"cache: read_write (team scope)" in d.reasons
}

test_cache_from_model_data if {
	d := decision with input as {"request": {"model": "faq-bot"}, "key": {"team": "support"}}
		with data.cache_models as {"faq-bot": {"cache": {"mode": "read"}}}
	d.cache == {"mode": "read"}
	"cache: read (key scope)" in d.reasons
}

test_team_cache_wins_over_model_cache if {
	d := decision with input as {"request": {"model": "faq-bot"}, "key": {"team": "research"}}
		with data.teams as {"research": {"cache": {"mode": "write"}}}
		with data.cache_models as {"faq-bot": {"cache": {"mode": "read_write"}}}
	d.cache == {"mode": "write"}
}

test_other_models_are_not_cached if {
	d := decision with input as {"request": {"model": "other"}, "key": {"team": "support"}}
		with data.cache_models as {"faq-bot": {"cache": {"mode": "read_write"}}}
	not d.cache
}

test_no_cache_when_the_prompt_has_pii if {
	d := decision with input as {"request": {"model": "m"}, "key": {"team": "research"}, "signals": {"pii_types": ["email"]}}
		with data.teams as {"research": {"cache": {"mode": "read_write"}}}
	not d.cache
}

test_denied_requests_carry_no_cache if {
	d := decision with input as {"request": {"model": "m"}, "key": {"team": "research"}, "usage": {"team": {"month_usd": 500}}}
		with data.teams as {"research": {"monthly_budget_usd": 500, "cache": {"mode": "read_write"}}}
	d.allowed == false
	not d.cache
}
