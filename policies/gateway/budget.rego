# Monthly team budgets: data.teams[team].monthly_budget_usd becomes `budget`, which the gateway
# reserves each request against. A team already at its limit is denied here with a 429.
package gateway

budget := {"limit_usd": limit, "period": "month", "scope": "team"} if {
	limit := data.teams[input.key.team].monthly_budget_usd
}

deny contains {"status": 429, "message": $"team '{input.key.team}' has used its monthly budget"} if {
	input.usage.team.month_usd >= budget.limit_usd
}

reasons contains "budget: team monthly budget from data.teams" if budget
