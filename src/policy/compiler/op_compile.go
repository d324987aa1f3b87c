package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
)

// opCompile builds the OPA WASM policy module, as `opa build -t wasm` would,
// with capabilities restricted to what the WASM host can evaluate.
func opCompile(ctx context.Context, req request) compileResponse {
	if len(req.Entrypoints) == 0 {
		return compileResponse{Errors: problemf("at least one entrypoint is required (e.g. \"gateway/decision\")")}
	}
	allowed := wasmAllowedBuiltins(req.HostBuiltins)
	caps := wasmCapabilities(allowed)

	modules, problems := parseModules(req.Files, caps)
	paths := inputPathsPayload(modules)
	data, dataProblems := decodeData(req.Data)
	problems = append(problems, dataProblems...)
	if len(problems) > 0 {
		return compileResponse{Errors: explainRefusedWithTargets(explainUnsupportedBuiltins(problems, allowed), req.Files)}
	}

	if req.Schemas != nil { // compile.Compiler takes no schemas: checked on their own first
		if ps := typeCheck(modules, caps, req.Schemas); len(ps) > 0 {
			return compileResponse{Errors: explainUnsupportedBuiltins(ps, allowed)}
		}
	}

	b := &bundle.Bundle{Data: data}
	b.SetRegoVersion(ast.RegoV1)
	b.Manifest.Init()
	for _, name := range sortedKeys(modules) {
		b.Modules = append(b.Modules, bundle.ModuleFile{
			URL: name, Path: name, Parsed: modules[name], Raw: []byte(req.Files[name]),
		})
	}

	c := compile.New().
		WithTarget(compile.TargetWasm).
		WithEntrypoints(req.Entrypoints...).
		WithCapabilities(caps).
		WithRegoVersion(ast.RegoV1).
		WithBundle(b)
	if err := c.Build(ctx); err != nil {
		return compileResponse{Errors: explainRefusedWithTargets(explainUnsupportedBuiltins(toProblems(err), allowed), req.Files)}
	}
	out := c.Bundle()
	if out == nil || len(out.WasmModules) == 0 {
		return compileResponse{Errors: problemf("compiler produced no wasm module")}
	}
	raw := withInputPaths(out.WasmModules[0].Raw, paths)
	sum := sha256.Sum256(raw)
	return compileResponse{
		OK:       true,
		Wasm:     base64.StdEncoding.EncodeToString(raw),
		Revision: hex.EncodeToString(sum[:]),
	}
}

// opCheck parses and type-checks with full (non-WASM) capabilities.
func opCheck(_ context.Context, req request) checkResponse {
	caps := ast.CapabilitiesForThisVersion()
	modules, problems := parseModules(req.Files, caps)
	if _, dataProblems := decodeData(req.Data); len(dataProblems) > 0 {
		problems = append(problems, dataProblems...)
	}
	if len(problems) == 0 {
		problems = typeCheck(modules, caps, req.Schemas)
	}
	return checkResponse{OK: len(problems) == 0, Errors: problems}
}
