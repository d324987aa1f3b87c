package main

import (
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// erasedBuiltins are removed by the compiler before planning when print
// statements are disabled, so the WASM target never has to call them.
var erasedBuiltins = []string{"print", "internal.print"}

// refusedBuiltins are never available to a gateway policy, with the reason
// given in the compile error at the call site.
var refusedBuiltins = map[string]string{
	"http.send":          "it needs the network at evaluation time; fetch data into policy data or config instead",
	"net.lookup_ip_addr": "it needs the network (DNS) at evaluation time",
	"opa.runtime":        "it reports an OPA server's configuration and environment, which the gateway does not expose to policies",
	"internal.test_case": "it is test-only",
}

// wasmAllowedBuiltins is the set of builtins a policy compiled to WASM may
// call: natively compiled ones, every other builtin OPA implements in Go (the
// host evaluates those through the embedded Go program, builtin_host.go),
// and any extra ones the host names; never a refused one.
func wasmAllowedBuiltins(host []string) map[string]bool {
	allowed := make(map[string]bool, len(wasmNativeBuiltins)+len(host)+len(erasedBuiltins))
	for _, n := range wasmNativeBuiltins {
		allowed[n] = true
	}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if _, refused := refusedBuiltins[b.Name]; !refused && topdown.GetBuiltin(b.Name) != nil {
			allowed[b.Name] = true
		}
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
