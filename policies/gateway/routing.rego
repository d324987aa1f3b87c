# Where a request goes: `planned_targets`, an ordered list of {provider, model} (upstream model
# ids) tried first to last. Undefined when no rule applies: the gateway then uses the catalog.
#
#   data.fallbacks[model]       the chain for a requested model name
#   data.routing.small_prompts  {max_input_tokens, models (globs), target}: a short prompt with
#                               no tools or images goes to the cheaper target first
#
# Targets on providers the config does not have are skipped, so one data file can serve
# gateways with different providers switched on.
package gateway

fallback_chain := [t | some t in data.fallbacks[input.request.model]; input.providers[t.provider]]

# The catalog's own target, when the gateway resolved it.
catalog_target := t if {
	t := input.request.catalog_target
	is_string(t.provider)
	is_string(t.model)
	t.provider != ""
	t.model != ""
}

# What the request would use without cheap-model routing.
usual_chain := fallback_chain if count(fallback_chain) > 0
else := [catalog_target]

small_prompt if {
	cfg := data.routing.small_prompts
	input.request.endpoint != "embeddings"
	input.request.estimated_input_tokens < cfg.max_input_tokens
	input.request.tool_count == 0
	input.request.image_count == 0
	some pattern in cfg.models
	model_matches(pattern, input.request.model)
	input.providers[cfg.target.provider]
}

# A small prompt tries the cheap target first and keeps the usual chain as its fallbacks.
planned_targets := array.concat([cheap], [t | some t in usual_chain; t != cheap]) if {
	small_prompt
	cheap := data.routing.small_prompts.target
} else := fallback_chain if count(fallback_chain) > 0

reasons contains "routing: small prompt sent to data.routing.small_prompts.target" if small_prompt

reasons contains "routing: fallback chain from data.fallbacks" if count(fallback_chain) > 0

tags contains "routed:small_prompt" if small_prompt
