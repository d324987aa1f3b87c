package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/open-policy-agent/opa/v1/ast"
)

// checkDecision checks every rule building the decision document against the decision schema:
// ref heads (`decision.alow := true`), object literals (`decision := {"alow": true}`) and the
// rules a head value refers to (`decision.budget := budget`, `budget := {"limt_usd": 5}`).
func checkDecision(c *ast.Compiler, s *schemaRequest) []problem {
	if s == nil || s.Decision == nil || len(s.Decision.Schema) == 0 {
		return nil
	}
	raw, err := decodeJSON(s.Decision.Schema)
	if err != nil {
		return problemf("decision schema: %v", err)
	}
	root := ast.Ref{ast.DefaultRootDocument}
	for _, seg := range strings.Split(s.Decision.Path, "/") {
		root = append(root, ast.StringTerm(seg))
	}
	dc := &decisionChecker{c: c, seen: map[*ast.Rule]bool{}}
	for _, rule := range c.GetRulesWithPrefix(root) {
		dc.rule(rule, root, root.String(), branches(raw))
	}
	dc.problems = append(dc.problems, unreadRules(c, root)...)
	sort.SliceStable(dc.problems, func(i, j int) bool {
		a, b := dc.problems[i], dc.problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return dc.problems
}

type decisionChecker struct {
	c        *ast.Compiler
	seen     map[*ast.Rule]bool
	problems []problem
}

// rule checks one rule of the decision (or one its value comes from) whose document is at
// `at`, named `name` in the decision, where schema s applies.
func (dc *decisionChecker) rule(rule *ast.Rule, at ast.Ref, name string, s []node) {
	if dc.seen[rule] {
		return
	}
	dc.seen[rule] = true
	full := rule.Ref()
	for _, t := range full[len(at):] {
		key, ok := t.Value.(ast.String)
		if !ok {
			return // a computed key: not checked statically
		}
		if len(s) == 0 {
			return
		}
		sub, known, found := field(s, string(key))
		if !found {
			dc.unknown(t.Location, rule, name, string(key), known)
			return
		}
		name += "." + string(key)
		s = flatten(sub)
	}
	if rule.Head.RuleKind() == ast.MultiValue {
		return
	}
	for r := rule; r != nil; r = r.Else {
		if r.Head.Value != nil {
			dc.term(r.Head.Value, rule, name, s)
		}
	}
}

// term checks a value literal against s; a ref to a rule is followed into that rule.
func (dc *decisionChecker) term(t *ast.Term, rule *ast.Rule, name string, s []node) {
	if len(s) == 0 {
		return
	}
	switch v := t.Value.(type) {
	case ast.Object:
		v.Foreach(func(k, val *ast.Term) {
			key, ok := k.Value.(ast.String)
			if !ok {
				return
			}
			sub, known, found := field(s, string(key))
			if !found {
				dc.unknown(k.Location, rule, name, string(key), known)
				return
			}
			dc.term(val, rule, name+"."+string(key), flatten(sub))
		})
	case *ast.Array:
		it := flatten(items(s))
		v.Foreach(func(e *ast.Term) { dc.term(e, rule, name+"[_]", it) })
	case ast.String, ast.Number, ast.Boolean, ast.Null:
		dc.scalar(t, rule, name, s)
	case ast.Var: // the compiler moves refs out of heads: `p := __local0__ if { __local0__ = data.x.q }`
		for _, e := range rule.Body {
			if !e.IsEquality() && !e.IsAssignment() {
				continue
			}
			if l, r := e.Operand(0), e.Operand(1); l != nil && r != nil {
				if l.Equal(t) {
					dc.term(r, rule, name, s)
				} else if r.Equal(t) {
					dc.term(l, rule, name, s)
				}
			}
		}
	case ast.Ref:
		if !v.IsGround() || !v[0].Equal(ast.DefaultRootDocument) {
			return
		}
		for _, r := range dc.c.GetRulesExact(v) {
			if r.Head.RuleKind() == ast.SingleValue {
				dc.rule(r, r.Ref(), name, s)
			}
		}
	}
}

// scalar checks a literal's JSON type and, where the schema lists them, its allowed values.
func (dc *decisionChecker) scalar(t *ast.Term, rule *ast.Rule, name string, s []node) {
	jt := map[string]string{"ast.String": "string", "ast.Number": "number", "ast.Boolean": "boolean", "ast.Null": "null"}[fmt.Sprintf("%T", t.Value)]
	var allowed []string
	wants := []string{}
	for _, b := range s {
		typeOK := isType(b, jt) || (jt == "number" && isType(b, "integer") && isInt(t.Value))
		if !typeOK {
			if ty, ok := b["type"].(string); ok {
				wants = append(wants, ty)
			}
			continue
		}
		values, hasEnum := b["enum"].([]any)
		if c, hasConst := b["const"]; hasConst {
			values, hasEnum = []any{c}, true
		}
		if !hasEnum {
			return
		}
		for _, v := range values {
			if sameJSON(v, t.Value) {
				return
			}
			allowed = append(allowed, fmt.Sprint(v))
		}
	}
	p := problem{Code: ast.TypeErr}
	if len(allowed) > 0 {
		str, _ := t.Value.(ast.String)
		p.Message = fmt.Sprintf("invalid decision value: %s: %v is not one of %s in the decision schema%s (the gateway denies a decision with it)", name, t.Value, strings.Join(allowed, ", "), suggestion(string(str), slices.Clone(allowed)))
	} else {
		p.Message = fmt.Sprintf("invalid decision value: %s: the decision schema wants %s, not %s %v (the gateway denies a decision with it)", name, strings.Join(wants, " or "), jt, t.Value)
	}
	if loc := cmpLoc(t.Location, rule.Location); loc != nil {
		p.File, p.Line, p.Col = loc.File, loc.Row, loc.Col
	}
	dc.problems = append(dc.problems, p)
}

func isInt(v ast.Value) bool {
	n, ok := v.(ast.Number)
	if !ok {
		return false
	}
	_, isInt := n.Int64()
	return isInt
}

// sameJSON compares a schema value (decoded with json.Number) with a Rego scalar.
func sameJSON(schemaValue any, v ast.Value) bool {
	sv, err := ast.InterfaceToValue(schemaValue)
	return err == nil && sv.Compare(v) == 0
}

func cmpLoc(a, b *ast.Location) *ast.Location {
	if a != nil {
		return a
	}
	return b
}

func (dc *decisionChecker) unknown(loc *ast.Location, rule *ast.Rule, parent, key string, known []string) {
	if loc == nil {
		loc = rule.Location
	}
	p := problem{Code: ast.TypeErr, Message: fmt.Sprintf("undefined decision key: %s.%s: the decision schema has no key %q under %s%s (the gateway denies a decision with an unknown key)", parent, key, key, parent, suggestion(key, known))}
	if loc != nil {
		p.File, p.Line, p.Col = loc.File, loc.Row, loc.Col
	}
	dc.problems = append(dc.problems, p)
}

// unreadRules finds rules of the decision's package, outside test files, that the decision never
// reads and whose name is one or two edits from a rule it does read: a typo (`max_token := 100`
// beside `max_tokens`) that would otherwise have no effect at all.
func unreadRules(c *ast.Compiler, root ast.Ref) []problem {
	reached := map[*ast.Rule]bool{}
	var visit func(r *ast.Rule)
	visit = func(r *ast.Rule) {
		if reached[r] {
			return
		}
		reached[r] = true
		for d := range c.Graph.Dependencies(r) {
			if dr, ok := d.(*ast.Rule); ok {
				visit(dr)
			}
		}
	}
	for _, r := range c.GetRulesWithPrefix(root) {
		for n := r; n != nil; n = n.Else {
			visit(n)
		}
	}
	pkg := root[:len(root)-1]
	read := map[string]bool{}
	for r := range reached {
		if r.Module != nil && r.Module.Package.Path.Equal(pkg) {
			read[ruleName(r)] = true
		}
	}
	names := make([]string, 0, len(read))
	for n := range read {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []problem
	reported := map[string]bool{}
	for _, file := range sortedKeys(c.Modules) {
		m := c.Modules[file]
		if strings.HasSuffix(file, "_test.rego") || !m.Package.Path.Equal(pkg) {
			continue
		}
		for _, r := range m.Rules {
			name := ruleName(r)
			if read[name] || reported[name] || len(name) < 4 || strings.HasPrefix(name, "test_") {
				continue
			}
			for _, known := range names {
				if d := levenshtein.ComputeDistance(name, known); d <= 2 {
					reported[name] = true
					p := problem{Code: ast.TypeErr, Message: fmt.Sprintf("rule %s is never read by %s; did you mean %q? (a rule the decision does not read has no effect)", name, root, known)}
					if loc := r.Head.Location; loc != nil {
						p.File, p.Line, p.Col = loc.File, loc.Row, loc.Col
					}
					out = append(out, p)
					break
				}
			}
		}
	}
	return out
}

func ruleName(r *ast.Rule) string {
	if ref := r.Head.Ref(); len(ref) > 0 {
		if v, ok := ref[0].Value.(ast.Var); ok {
			return string(v)
		}
	}
	return ""
}
