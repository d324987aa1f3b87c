# Monthly team budgets: data.teams[team].monthly_budget_usd becomes `budget`, which the gateway
# reserves each request against (with data.teams[team].budget_alert_at as its alert thresholds). A team already at its limit is denied here with a 429.
package gateway

budget := object.union({"limit_usd": limit, "period": "month", "scope": "team"}, budget_alerts) if {
	limit := data.teams[input.key.team].monthly_budget_usd
}

# data.teams[team].budget_alert_at ([80, 100]) sets the budget's alert thresholds (docs/alerts.md);
# without it the gateway uses alerts.budget_thresholds.
default budget_alerts := {}

budget_alerts := {"alert_at": data.teams[input.key.team].budget_alert_at} if is_array(data.teams[input.key.team].budget_alert_at)

deny contains {"status": 429, "message": $"team '{input.key.team}' has used its monthly budget"} if {
	input.usage.team.month_usd >= budget.limit_usd
}

reasons contains "budget: team monthly budget from data.teams" if budget
