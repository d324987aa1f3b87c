package gateway

mixed := {"public": {"data_residency": "public"}, "private": {"data_residency": "private"}}

chain := {"m": [{"provider": "public", "model": "big"}, {"provider": "private", "model": "local"}]}

with_pii(types) := {"request": {"model": "m"}, "providers": mixed, "signals": {"pii_types": types}}

test_pii_goes_to_private_targets_only if {
	targets == [{"provider": "private", "model": "local"}] with input as with_pii(["email"])
		with data.fallbacks as chain
		with data.routing as {}
		with data.pii as {"types": ["email"], "action": "private_only"}
}

test_no_pii_keeps_the_chain if {
	targets == chain.m with input as with_pii([])
		with data.fallbacks as chain
		with data.routing as {}
		with data.pii as {"types": ["email"], "action": "private_only"}
}

test_unwatched_pii_type_is_ignored if {
	targets == chain.m with input as with_pii(["phone"])
		with data.fallbacks as chain
		with data.routing as {}
		with data.pii as {"types": ["email"], "action": "private_only"}
}

test_private_only_denies_when_no_private_target if {
	d := decision with input as with_pii(["email", "card"])
		with data.fallbacks as {"m": [{"provider": "public", "model": "big"}]}
		with data.routing as {}
		with data.pii as {"types": ["email", "card"], "action": "private_only"}
	d.allowed == false
	d.http_status == 403
	d.message == "the prompt contains PII (card, email) and no private provider can serve it"
}

test_private_or_redact_redacts_when_no_private_target if {
	d := decision with input as with_pii(["email"])
		with data.fallbacks as {"m": [{"provider": "public", "model": "big"}]}
		with data.routing as {}
		with data.pii as {"types": ["email"], "action": "private_or_redact"}
	d.allowed == true
	d.redact == ["email"]
	d.targets == [{"provider": "public", "model": "big"}]
}

test_catalog_target_counts_when_there_is_no_chain if {
	inp := object.union(with_pii(["email"]), {"request": {"model": "x", "catalog_target": {"provider": "private", "model": "local"}}})
	targets == [{"provider": "private", "model": "local"}] with input as inp
		with data.fallbacks as {}
		with data.routing as {}
		with data.pii as {"types": ["email"], "action": "private_only"}
}

test_redact_keeps_targets if {
	d := decision with input as with_pii(["email"])
		with data.fallbacks as chain
		with data.routing as {}
		with data.pii as {"types": ["email"], "action": "redact"}
	d.redact == ["email"]
	d.targets == chain.m
}

test_no_pii_config_does_nothing if {
	d := decision with input as with_pii(["email"])
		with data.fallbacks as chain
		with data.routing as {}
		with data.pii as {}
	not d.redact
	d.targets == chain.m
}
