package gateway

test_allows_by_default if {
	decision == {"allowed": true, "log_prompts": false} with input as {"request": {"model": "any-model"}}
		with data.teams as {}
}

test_deny_has_status_message_and_no_other_fields if {
	d := decision with input as {"request": {"model": "m"}, "key": {"team": "t"}}
		with data.teams as {"t": {"models": ["x"], "monthly_budget_usd": 10, "max_tokens": 5}}
	d.allowed == false
	d.http_status == 403
	d.message == "model 'm' is not allowed for team 't'"
	not d.budget
	not d.max_tokens
	not d.targets
}

test_lowest_status_wins_and_messages_are_joined if {
	d := decision with input as {"request": {"model": "m"}, "key": {"team": "t"}, "usage": {"team": {"month_usd": 20}}}
		with data.teams as {"t": {"models": ["x"], "monthly_budget_usd": 10}}
	d.http_status == 403
	d.message == "model 'm' is not allowed for team 't'; team 't' has used its monthly budget"
	"team 't' has used its monthly budget" in d.reasons
}
