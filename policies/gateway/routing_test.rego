package gateway

providers := {"openai": {"data_residency": "public"}, "anthropic": {"data_residency": "public"}}

fallbacks := {"gpt-4o": [
	{"provider": "openai", "model": "gpt-4o"},
	{"provider": "anthropic", "model": "claude-sonnet-4-5"},
	{"provider": "gemini", "model": "gemini-2.5-pro"},
]}

small := {"max_input_tokens": 200, "models": ["gpt-4o", "gpt-4.1*"], "target": {"provider": "openai", "model": "gpt-4o-mini"}}

request(tokens, tools) := {
	"endpoint": "chat.completions", "model": "gpt-4o", "estimated_input_tokens": tokens,
	"tool_count": tools, "image_count": 0,
}

test_fallback_chain_skips_unconfigured_providers if {
	planned_targets == [{"provider": "openai", "model": "gpt-4o"}, {"provider": "anthropic", "model": "claude-sonnet-4-5"}] with input as {"request": request(5000, 0), "providers": providers}
		with data.fallbacks as fallbacks
		with data.routing as {}
}

test_no_chain_no_targets if {
	not planned_targets with input as {"request": {"model": "other"}, "providers": providers}
		with data.fallbacks as fallbacks
		with data.routing as {}
	d := decision with input as {"request": {"model": "other"}, "providers": providers}
		with data.fallbacks as fallbacks
		with data.routing as {}
	not d.targets
}

test_small_prompt_goes_to_cheap_model_first if {
	planned_targets == [
		{"provider": "openai", "model": "gpt-4o-mini"},
		{"provider": "openai", "model": "gpt-4o"},
		{"provider": "anthropic", "model": "claude-sonnet-4-5"},
	] with input as {"request": request(50, 0), "providers": providers}
		with data.fallbacks as fallbacks
		with data.routing.small_prompts as small
}

test_small_prompt_without_chain_falls_back_to_catalog if {
	r := object.union(request(50, 0), {"model": "gpt-4.1", "catalog_target": {"provider": "openai", "model": "gpt-4.1"}})
	planned_targets == [{"provider": "openai", "model": "gpt-4o-mini"}, {"provider": "openai", "model": "gpt-4.1"}] with input as {"request": r, "providers": providers}
		with data.fallbacks as {}
		with data.routing.small_prompts as small
}

test_prompt_with_tools_is_not_small if {
	not small_prompt with input as {"request": request(50, 1), "providers": providers}
		with data.routing.small_prompts as small
}

test_long_prompt_is_not_small if {
	not small_prompt with input as {"request": request(200, 0), "providers": providers}
		with data.routing.small_prompts as small
}

test_cheap_target_needs_its_provider if {
	not small_prompt with input as {"request": request(50, 0), "providers": {"anthropic": {}}}
		with data.routing.small_prompts as small
}
