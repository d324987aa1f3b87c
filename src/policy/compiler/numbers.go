package main

import (
	"encoding/json"
	"regexp"
	"strings"
)

func jsonNumber(s string) json.Number { return json.Number(s) }

var jsonNumberSyntax = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// canonicalNumber rewrites a number literal Rego accepts but JSON does not
// (".5", "5.", "+1", "007") to the same value in JSON syntax, digit for digit.
func canonicalNumber(n json.Number) json.Number {
	s := string(n)
	if jsonNumberSyntax.MatchString(s) {
		return n
	}
	sign := ""
	switch {
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasPrefix(s, "-"):
		sign, s = "-", s[1:]
	}
	mantissa, exponent := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mantissa, exponent = s[:i], s[i:]
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	out := sign + whole
	if frac != "" {
		out += "." + frac
	}
	out += exponent
	if !jsonNumberSyntax.MatchString(out) {
		return n // not a number literal at all: let the encoder report it
	}
	return json.Number(out)
}

// jsonSafe rewrites, in place, every number literal in a decoded result that
// encoding/json would refuse to encode.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case json.Number:
		return canonicalNumber(x)
	case []any:
		for i := range x {
			x[i] = jsonSafe(x[i])
		}
	case map[string]any:
		for k, e := range x {
			x[k] = jsonSafe(e)
		}
	}
	return v
}
