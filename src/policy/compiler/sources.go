package main

import (
	"bytes"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/util"
)

// parseModules parses every file as a Rego v1 module, collecting all errors.
func parseModules(files map[string]string, caps *ast.Capabilities) (map[string]*ast.Module, []problem) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)

	opts := ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true, Capabilities: caps}
	modules := make(map[string]*ast.Module, len(files))
	var problems []problem
	for _, name := range names {
		m, err := ast.ParseModuleWithOpts(name, files[name], opts)
		if err != nil {
			problems = append(problems, toProblems(err)...)
			continue
		}
		if m == nil {
			problems = append(problems, problem{File: name, Line: 1, Col: 1, Message: "empty module"})
			continue
		}
		modules[name] = m
	}
	if len(modules) == 0 && len(problems) == 0 {
		problems = problemf("no Rego files given")
	}
	return modules, problems
}

// decodeJSON decodes a JSON document keeping numbers exact (json.Number).
func decodeJSON(raw []byte) (any, error) {
	var v any
	if err := util.NewJSONDecoder(bytes.NewReader(raw)).Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeData decodes the optional base document; it must be an object.
func decodeData(raw []byte) (map[string]any, []problem) {
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]any{}, nil
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, problemf("data: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, problemf("data: must be a JSON object")
	}
	return obj, nil
}

func newStore(data map[string]any) storage.Store {
	return inmem.NewFromObjectWithOpts(data, inmem.OptRoundTripOnWrite(false))
}

// compileModules runs OPA's AST compiler (type checking included).
func compileModules(modules map[string]*ast.Module, caps *ast.Capabilities) (*ast.Compiler, []problem) {
	c := ast.NewCompiler().WithCapabilities(caps).WithDefaultRegoVersion(ast.RegoV1)
	if c.Compile(modules); c.Failed() {
		return nil, toProblems(c.Errors)
	}
	return c, nil
}
