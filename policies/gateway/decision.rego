# The decision the gateway enforces: data.gateway.decision (see docs/policy.md).
#
# Each field comes from its own file in this package; a field whose rule is undefined is
# left out, and the gateway then uses its defaults (for `targets`: the catalog's own target).
package gateway

# Requests are allowed unless some rule adds a deny. There is no model allow-list by default:
# a model exists only if the config's catalog lists it.
default allowed := false

allowed if count(deny) == 0

decision["allowed"] := allowed

# Several denies: the lowest status wins (403 before 429), and every message is kept.
decision["http_status"] := min({d.status | some d in deny}) if not allowed

decision["message"] := concat("; ", sort({d.message | some d in deny})) if not allowed

decision["targets"] := targets if allowed

decision["budget"] := budget if allowed

decision["rate_limit"] := rate_limit if allowed

decision["max_tokens"] := max_tokens if allowed

decision["redact"] := sort(redact) if {
	allowed
	count(redact) > 0
}

decision["tags"] := sort(tags) if {
	allowed
	count(tags) > 0
}

decision["log_prompts"] := log_prompts

decision["cache"] := cache if allowed

decision["allow_betas"] := sort(allow_betas) if {
	allowed
	count(allow_betas) > 0
}

decision["allow_server_tools"] := sort(allow_server_tools) if {
	allowed
	count(allow_server_tools) > 0
}

decision["reasons"] := sort(reasons) if count(reasons) > 0

reasons contains d.message if some d in deny
