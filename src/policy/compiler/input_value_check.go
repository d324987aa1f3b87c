package main

import (
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// checkInputValues finds refs into the input document that its schema cannot have, where OPA's
// type checker does not look: through a map's values (a schema's additionalProperties) or an
// array's items, read directly (input.providers[p].data_residensy) or through a variable bound to
// such a value (some _, p in input.providers; p.data_residensy, or p := input.providers[_]).
// It runs after OPA's checker passed. A policy with `# METADATA` `schemas:` annotations is left
// to OPA's checker alone: its annotations can widen the input this walk does not know about.
func checkInputValues(c *ast.Compiler, s *schemaRequest) []problem {
	if s == nil || len(s.Input) == 0 {
		return nil
	}
	raw, err := decodeJSON(s.Input)
	if err != nil || hasSchemaAnnotations(c) {
		return nil
	}
	root := branches(raw)
	var out []problem
	for _, name := range sortedKeys(c.Modules) {
		for _, rule := range c.Modules[name].Rules {
			for r := rule; r != nil; r = r.Else {
				out = append(out, checkRule(r, root, cmpOr(s.InputName, "the input schema"))...)
			}
		}
	}
	return out
}

func hasSchemaAnnotations(c *ast.Compiler) bool {
	for _, m := range c.Modules {
		for _, a := range m.Annotations {
			if len(a.Schemas) > 0 {
				return true
			}
		}
	}
	return false
}

// checkRule binds the rule's local variables that hold parts of the input (those the compiler
// renamed unique), then walks every ref rooted at input or at such a variable.
func checkRule(rule *ast.Rule, root []node, where string) []problem {
	bound := map[ast.Var][]node{}
	resolve := func(ref ast.Ref) ([]node, bool) {
		if ref[0].Equal(ast.InputRootDocument) {
			return walkRef(root, ref[1:])
		}
		if v, ok := ref[0].Value.(ast.Var); ok {
			if s, has := bound[v]; has {
				return walkRef(s, ref[1:])
			}
		}
		return nil, false
	}
	bind := func(v *ast.Term, s []node) bool {
		name, ok := v.Value.(ast.Var)
		// Only names the compiler made unique (`:=`, `some`, `every` locals): a variable unified
		// with `=` keeps its name, which sibling comprehensions or an `else` body may reuse.
		if !ok || name.IsWildcard() || !strings.HasPrefix(string(name), "__local") || len(s) == 0 {
			return false
		}
		if _, has := bound[name]; has {
			return false
		}
		bound[name] = s
		return true
	}
	refOf := func(t *ast.Term) (ast.Ref, bool) {
		switch v := t.Value.(type) {
		case ast.Ref:
			return v, true
		case ast.Var:
			return ast.Ref{t}, true
		}
		return nil, false
	}
	// Bindings chain (q := p.x after p := input.y[_]): repeat until nothing new is bound.
	for changed := true; changed; {
		changed = false
		ast.WalkExprs(rule, func(e *ast.Expr) bool {
			call, ok := e.Terms.([]*ast.Term)
			if !ok || len(call) < 3 {
				return false
			}
			op := call[0].String()
			switch {
			case (op == "assign" || op == "eq") && len(call) == 3:
				for _, pair := range [][2]*ast.Term{{call[1], call[2]}, {call[2], call[1]}} {
					if r, ok := refOf(pair[1]); ok {
						if s, ok := resolve(r); ok && bind(pair[0], s) {
							changed = true
						}
					}
				}
			case op == "internal.member_2" && len(call) == 3, op == "internal.member_3" && len(call) == 4:
				if r, ok := refOf(call[len(call)-1]); ok {
					if s, ok := resolve(r); ok && bind(call[len(call)-2], flatten(elements(s))) {
						changed = true
					}
				}
			}
			return false
		})
		ast.NewGenericVisitor(func(x any) bool {
			if ev, ok := x.(*ast.Every); ok {
				if r, ok := refOf(ev.Domain); ok {
					if s, ok := resolve(r); ok && bind(ev.Value, flatten(elements(s))) {
						changed = true
					}
				}
			}
			return false
		}).Walk(rule)
	}
	var out []problem
	ast.WalkTerms(rule, func(t *ast.Term) bool {
		ref, ok := t.Value.(ast.Ref)
		if !ok || len(ref) < 2 {
			return false
		}
		s := root
		if !ref[0].Equal(ast.InputRootDocument) {
			v, isVar := ref[0].Value.(ast.Var)
			if !isVar {
				return false
			}
			if s, ok = bound[v]; !ok {
				return false
			}
		}
		for i := 1; i < len(ref); i++ {
			key, isStr := ref[i].Value.(ast.String)
			if !isStr {
				s = flatten(elements(s))
				continue
			}
			sub, known, ok := field(s, string(key))
			if !ok && len(items(s)) == 0 && len(s) > 0 {
				loc := t.Location
				p := problem{Code: ast.TypeErr}
				if loc != nil {
					p.File, p.Line, p.Col = loc.File, loc.Row, loc.Col
				}
				text := ref.String()
				if loc != nil && len(loc.Text) > 0 {
					text = string(loc.Text)
				}
				p.Message = fmt.Sprintf("undefined ref: %s: the value has no field %q in %s%s (to read a field the schema does not list, declare it with a `# METADATA` `schemas:` annotation; see docs/policy.md)", text, string(key), where, suggestion(string(key), known))
				out = append(out, p)
				return true
			}
			s = flatten(sub)
		}
		return false
	})
	return out
}

// walkRef is the schemas of the value at path under s; false when the path leaves the schema
// or reaches a part the walk cannot follow (then nothing is reported).
func walkRef(s []node, path ast.Ref) ([]node, bool) {
	for _, t := range path {
		if key, isStr := t.Value.(ast.String); isStr {
			sub, _, ok := field(s, string(key))
			if !ok {
				return nil, false
			}
			s = flatten(sub)
		} else {
			s = flatten(elements(s))
		}
		if len(s) == 0 {
			return nil, false
		}
	}
	return s, true
}

// elements is what a variable key reaches: an array's items, a map's values, any listed property.
func elements(s []node) []any {
	out := items(s)
	for _, b := range s {
		if !isType(b, "object") {
			continue
		}
		switch ap := b["additionalProperties"].(type) {
		case node:
			out = append(out, ap)
		case bool:
			if ap {
				out = append(out, true)
			}
		case nil:
			out = append(out, true)
		}
		if props, ok := b["properties"].(node); ok {
			for _, p := range props {
				out = append(out, p)
			}
		}
	}
	return out
}
