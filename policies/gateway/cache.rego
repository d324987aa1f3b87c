# The response cache (docs/cache.md). Nothing is cached unless data turns it on:
#
#   data.teams[team].cache         {mode, ttl_s, scope, semantic, bypass} for the team's requests
#   data.cache_models[model].cache the same for a requested (public) model name
#
# A team's setting wins over a model's. `scope` defaults to the key's own entries; "team" shares
# them within the team, "global" with everyone (only for prompts with nothing tenant-specific).
# A prompt in which any PII was found is never cached: its answer would be kept beyond the request.
package gateway

cache_pii if count(input.signals.pii_types) > 0

cache := data.teams[input.key.team].cache if {
	is_object(data.teams[input.key.team].cache)
	not cache_pii
} else := data.cache_models[input.request.model].cache if {
	is_object(data.cache_models[input.request.model].cache)
	not cache_pii
}

reasons contains $"cache: {cache.mode} ({object.get(cache, "scope", "key")} scope)" if cache.mode != "off"
