# Model allow-lists: data.teams[team].models and data.keys[key name].models hold glob patterns
# over the requested model name ("gpt-4o*", "claude-*"). A team or key without a list may use
# any model; both lists apply when both exist.
#
# Messages use template strings ($"…{expr}…"): they render any value the same way in the
# gateway's wasm evaluator and in OPA, where sprintf's %s would differ for numbers.
package gateway

deny contains {"status": 403, "message": $"model '{input.request.model}' is not allowed for team '{input.key.team}'"} if {
	patterns := data.teams[input.key.team].models
	not model_in(patterns)
}

deny contains {"status": 403, "message": $"model '{input.request.model}' is not allowed for key '{input.key.name}'"} if {
	patterns := data.keys[input.key.name].models
	not model_in(patterns)
}

model_in(patterns) if {
	some pattern in patterns
	model_matches(pattern, input.request.model)
}

# A model pattern is a name ("gpt-4o"), a prefix ("gpt-4*") or any glob ("claude-*-4-?").
# Names and prefixes are compared directly: glob.match compiles its pattern on every call
# (~5 µs each), which would make most of a decision's cost. Globs match with `null`
# delimiters, so `*` also matches dots ("gpt-4*" covers "gpt-4.1").
model_matches(pattern, model) if {
	not glob_chars(pattern)
	pattern == model
}

model_matches(pattern, model) if {
	endswith(pattern, "*")
	prefix := trim_suffix(pattern, "*")
	not glob_chars(prefix)
	startswith(model, prefix)
}

model_matches(pattern, model) if {
	glob_chars(trim_suffix(pattern, "*"))
	glob.match(pattern, null, model)
}

glob_chars(s) if contains(s, "*")

glob_chars(s) if contains(s, "?")

glob_chars(s) if contains(s, "[")

glob_chars(s) if contains(s, "{")

glob_chars(s) if contains(s, "\\")
