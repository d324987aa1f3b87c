//go:build js && wasm

package main

import "syscall/js"

// builtinFunc is the synchronous builtin(seq, nowNs, name, ...operands) the
// host calls from inside a policy evaluation: it returns the result's Rego
// text, null when undefined, or {error} when the evaluation must fail. It must
// not block (it runs on the JS thread, within the policy's wasm call).
func builtinFunc() js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) < 3 {
			return map[string]any{"error": "builtin(seq, nowNs, name, ...operands) expects at least 3 arguments"}
		}
		operands := make([]string, len(args)-3)
		for i := range operands {
			operands[i] = args[i+3].String()
		}
		out, defined, err := callBuiltin(args[0].Float(), args[1].String(), args[2].String(), operands)
		if err != nil {
			return map[string]any{"error": err.Error()}
		}
		if !defined {
			return nil
		}
		return out
	})
}
