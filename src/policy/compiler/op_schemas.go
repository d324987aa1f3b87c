package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/types"
)

// schemaRequest holds the JSON Schemas a policy is type-checked against, OPA's way: the input
// schema is the compiler's global `input` schema (as `opa check --schema`), so a ref to a field
// it does not have is a type error; `# METADATA` `schemas:` annotations override it per rule or
// package. The decision schema is checked against the rules that build the entrypoint's
// document, which OPA's checker does not do for rule heads.
type schemaRequest struct {
	Input json.RawMessage `json:"input,omitempty"`
	// InputName names the input schema in messages (e.g. docs/policy-input.schema.json).
	InputName string          `json:"inputName,omitempty"`
	Decision  *decisionSchema `json:"decision,omitempty"`
}

type decisionSchema struct {
	// Path is the entrypoint, e.g. "gateway/decision".
	Path   string          `json:"path"`
	Schema json.RawMessage `json:"schema"`
}

// withSchemas gives c the input schema and turns on schema annotations.
func withSchemas(c *ast.Compiler, s *schemaRequest) (*ast.Compiler, []problem) {
	if s == nil || len(s.Input) == 0 {
		return c, nil
	}
	schema, err := decodeJSON(s.Input)
	if err != nil {
		return c, problemf("input schema: %v", err)
	}
	ss := ast.NewSchemaSet()
	ss.Put(ast.SchemaRootRef, withoutNull(schema))
	return c.WithSchemas(ss).WithUseTypeCheckAnnotations(true), nil
}

// typeCheck compiles the modules with the schemas in force, as opCheck does without them.
func typeCheck(modules map[string]*ast.Module, caps *ast.Capabilities, s *schemaRequest) []problem {
	c, problems := withSchemas(ast.NewCompiler().WithCapabilities(caps).WithDefaultRegoVersion(ast.RegoV1), s)
	if len(problems) > 0 {
		return problems
	}
	if c.Compile(modules); c.Failed() {
		return schemaProblemsOf(c.Errors, s)
	}
	if ps := checkInputValues(c, s); len(ps) > 0 {
		return ps
	}
	return checkDecision(c, s)
}

// schemaProblemsOf flattens compile errors, explaining refs the input schema does not have.
func schemaProblemsOf(err error, s *schemaRequest) []problem {
	var errs ast.Errors
	if s == nil || !errors.As(err, &errs) {
		return toProblems(err)
	}
	var schema any
	if len(s.Input) > 0 {
		schema, _ = decodeJSON(s.Input)
	}
	out := make([]problem, 0, len(errs))
	for _, e := range errs {
		p := fromASTError(e)
		switch d := e.Details.(type) {
		case *ast.RefErrInvalidDetail:
			if e.Code == ast.TypeErr && d.Ref[0].Equal(ast.InputRootDocument) && len(d.OneOf) > 0 {
				p.Message = undefinedInputField(d, schema, s.InputName)
			}
		case *ast.RefErrUnsupportedDetail:
			if e.Code == ast.TypeErr && d.Ref[0].Equal(ast.InputRootDocument) {
				where := cmpOr(s.InputName, "the input schema")
				if ptr := schemaPointer(schema, d.Ref[1:d.Pos+1]); ptr != "" {
					where += "#" + ptr
				}
				p.Message = fmt.Sprintf("undefined ref: %s: %s is %s in %s; it has no fields", d.Ref.String(), d.Ref[:d.Pos+1].String(), typeName(d.Have), where)
			}
		}
		out = append(out, p)
	}
	return out
}

func undefinedInputField(d *ast.RefErrInvalidDetail, schema any, name string) string {
	have := d.Ref[d.Pos].Value
	field := have.String()
	if str, ok := have.(ast.String); ok {
		field = string(str)
	}
	known := make([]string, 0, len(d.OneOf))
	for _, v := range d.OneOf {
		if str, ok := v.(ast.String); ok {
			known = append(known, string(str))
		} else {
			known = append(known, v.String())
		}
	}
	parent := d.Ref[:d.Pos].String()
	where := cmpOr(name, "the input schema")
	if ptr := schemaPointer(schema, d.Ref[1:d.Pos]); ptr != "" {
		where += "#" + ptr
	}
	return fmt.Sprintf("undefined ref: %s: %s has no field %q in %s%s (to read a field the schema does not list, declare it with a `# METADATA` `schemas:` annotation; see docs/policy.md)",
		d.Ref[:d.Pos+1].String(), parent, field, where, suggestion(field, known))
}

func typeName(t types.Type) string {
	switch name := fmt.Sprint(t); name {
	case "string", "number", "boolean":
		return "a " + name
	case "null":
		return name
	default:
		return "of type " + name
	}
}

// withoutNull is the schema as OPA's checker sees it: a nullable field (`anyOf: [X, {type:
// null}]`) is typed X, so refs into a nullable object are checked too (OPA's checker accepts
// any field of a union). The schema in messages stays the original.
func withoutNull(s any) any {
	switch v := s.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withoutNull(x)
		}
		return out
	case map[string]any:
		if alts, ok := v["anyOf"].([]any); ok {
			var kept []any
			for _, a := range alts {
				if an, isNode := a.(map[string]any); !isNode || an["type"] != "null" {
					kept = append(kept, a)
				}
			}
			if len(kept) == 1 && len(kept) < len(alts) {
				return withoutNull(kept[0])
			}
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = withoutNull(x)
		}
		return out
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
