package main

import (
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
)

// erasedBuiltins are removed by the compiler before planning when print
// statements are disabled, so the WASM target never has to call them.
var erasedBuiltins = []string{"print", "internal.print"}

// wasmAllowedBuiltins is the set of builtins a policy compiled to WASM may
// call: natively compiled ones plus those the host implements.
func wasmAllowedBuiltins(host []string) map[string]bool {
	allowed := make(map[string]bool, len(wasmNativeBuiltins)+len(host)+len(erasedBuiltins))
	for _, n := range wasmNativeBuiltins {
		allowed[n] = true
	}
	for _, n := range host {
		allowed[n] = true
	}
	for _, n := range erasedBuiltins {
		allowed[n] = true
	}
	return allowed
}

// wasmCapabilities is this OPA version's capabilities restricted to allowed
// builtins, so the type checker rejects anything else at its call site.
func wasmCapabilities(allowed map[string]bool) *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if allowed[b.Name] {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	return caps
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
