package main

import (
	"encoding/json"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
)

// parseOperand reads one builtin operand (opa_value_dump text). Most operands are plain JSON
// (strings, numbers, arrays, objects with string keys) and take the JSON decoder, which keeps
// numbers digit for digit; sets and non-string keys take the Rego parser, given the host's
// capabilities so it does not rebuild (and sort) the builtin table on every call, which made
// ast.ParseTerm cost ~35 µs an operand.
func parseOperand(s string) (*ast.Term, error) {
	if t, ok := scalarOperand(s); ok {
		return t, nil
	}
	var x any
	if err := util.UnmarshalJSON([]byte(s), &x); err == nil {
		if v, err := ast.InterfaceToValue(x); err == nil {
			return ast.NewTerm(v), nil
		}
	}
	body, err := ast.ParseBodyWithOpts(s, ast.ParserOptions{Capabilities: capabilities(), RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, err
	}
	if len(body) != 1 {
		return nil, fmt.Errorf("expected exactly one term but got: %v", body)
	}
	term, ok := body[0].Terms.(*ast.Term)
	if !ok {
		return nil, fmt.Errorf("expected a term but got %v", body[0].Terms)
	}
	return term, nil
}

func capabilities() *ast.Capabilities {
	if hostCaps == nil {
		hostCaps = ast.CapabilitiesForThisVersion()
	}
	return hostCaps
}

// scalarOperand reads a string, number, boolean or null without a streaming decoder (the common
// operand, and the decoder's buffer was most of a call's allocations).
func scalarOperand(s string) (*ast.Term, bool) {
	switch {
	case s == "null":
		return ast.NullTerm(), true
	case s == "true" || s == "false":
		return ast.BooleanTerm(s == "true"), true
	case len(s) > 0 && s[0] == '"':
		var str string
		if json.Unmarshal([]byte(s), &str) != nil {
			return nil, false
		}
		return ast.StringTerm(str), true
	case len(s) > 0 && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')):
		if !json.Valid([]byte(s)) {
			return nil, false
		}
		return ast.NumberTerm(json.Number(s)), true
	}
	return nil, false
}
