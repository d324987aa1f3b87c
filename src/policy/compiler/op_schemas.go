package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
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

// suggestion is " (did you mean "x"?)" for the nearest known name, or the list of names.
func suggestion(name string, known []string) string {
	sort.Strings(known)
	best, bestDist := "", 0
	for _, k := range known {
		if d := levenshtein.ComputeDistance(name, k); best == "" || d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" && bestDist <= max(2, max(len(name), len(best))/2) {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	if len(known) == 0 {
		return ""
	}
	return fmt.Sprintf("; it has: %s", strings.Join(known, ", "))
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

// --- a small JSON Schema walker (the subset zod's toJSONSchema writes) ---

type node = map[string]any

// branches flattens anyOf/oneOf into the alternatives a value may match.
func branches(s any) []node {
	n, ok := s.(node)
	if !ok {
		if b, isBool := s.(bool); isBool && b {
			return []node{{}} // `true`: anything
		}
		return nil
	}
	var out []node
	for _, k := range []string{"anyOf", "oneOf"} {
		if alts, ok := n[k].([]any); ok {
			for _, a := range alts {
				out = append(out, branches(a)...)
			}
		}
	}
	if out == nil {
		out = []node{n}
	}
	return out
}

func isType(n node, t string) bool {
	switch v := n["type"].(type) {
	case string:
		return v == t
	case []any:
		for _, x := range v {
			if x == t {
				return true
			}
		}
	case nil:
		return true // untyped: anything
	}
	return false
}

// field is what schema s allows under key: the sub-schemas, and the known keys when none.
func field(s []node, key string) (sub []any, known []string, ok bool) {
	for _, b := range s {
		if !isType(b, "object") {
			continue
		}
		props, _ := b["properties"].(node)
		if p, has := props[key]; has {
			sub, ok = append(sub, p), true
			continue
		}
		switch ap := b["additionalProperties"].(type) {
		case bool:
			if ap {
				sub, ok = append(sub, true), true
			}
		case node:
			sub, ok = append(sub, ap), true
		case nil:
			if props == nil {
				sub, ok = append(sub, true), true
			}
		}
		for k := range props {
			known = append(known, k)
		}
	}
	return sub, known, ok
}

func items(s []node) []any {
	var out []any
	for _, b := range s {
		if isType(b, "array") {
			if it, ok := b["items"]; ok {
				out = append(out, it)
			} else {
				out = append(out, true)
			}
		}
	}
	return out
}

func flatten(subs []any) []node {
	var out []node
	for _, s := range subs {
		out = append(out, branches(s)...)
	}
	return out
}

// schemaPointer is the JSON pointer to the schema of the object at path, "" when not found.
func schemaPointer(schema any, path ast.Ref) string {
	ptr := ""
	cur, ok := schema.(node)
	// A nullable object is `anyOf: [{type: object, …}, {type: null}]`: point into the object.
	object := func() {
		if alts, isAlt := cur["anyOf"].([]any); isAlt {
			for i, a := range alts {
				if an, isNode := a.(node); isNode && an["type"] != nil && an["type"] != "null" {
					ptr, cur = fmt.Sprintf("%s/anyOf/%d", ptr, i), an
					return
				}
			}
		}
	}
	for _, t := range path {
		if !ok {
			return ""
		}
		object()
		key, isStr := t.Value.(ast.String)
		props, _ := cur["properties"].(node)
		if p, has := props[string(key)]; isStr && has {
			ptr += "/properties/" + string(key)
			cur, ok = p.(node)
		} else if ap, isNode := cur["additionalProperties"].(node); isNode {
			ptr += "/additionalProperties"
			cur, ok = ap, true
		} else if it, isNode := cur["items"].(node); isNode {
			ptr += "/items"
			cur, ok = it, true
		} else {
			return ""
		}
	}
	if ok {
		object()
	}
	return ptr
}

// --- the decision schema ---

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
