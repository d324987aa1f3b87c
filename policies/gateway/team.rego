# Per-team limits from data.teams[team] (the team of the client key):
#
#   rate_limit      {rpm, tpm} for the team
#   max_tokens      caps the completion tokens a request may ask for
#   log_prompts     true to keep each prompt and answer (prompt capture, docs/ledger.md;
#                   never for prompts with PII)
#   business_hours  {off_hours_rpm}: an example time rule, a lower rpm outside
#                   Monday–Friday 08:00–18:00 UTC
package gateway

team := data.teams[input.key.team]

business_hours if {
	input.time.weekday in {"monday", "tuesday", "wednesday", "thursday", "friday"}
	input.time.hour >= 8
	input.time.hour < 18
}

rate_limit := object.union(object.get(team, "rate_limit", {}), {"rpm": rpm}) if {
	rpm := team.business_hours.off_hours_rpm
	not business_hours
} else := team.rate_limit

max_tokens := team.max_tokens

default log_prompts := false

log_prompts if {
	team.log_prompts == true
	not has_pii
}

reasons contains "team: off-hours rate limit" if {
	team.business_hours.off_hours_rpm
	not business_hours
}

tags contains concat("", ["team:", input.key.team]) if is_string(input.key.team)
