package main

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
)

// A small JSON Schema walker: the subset zod's toJSONSchema writes (properties,
// additionalProperties, items, anyOf/oneOf, enum, const).

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
