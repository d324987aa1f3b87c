package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
)

// toProblems flattens any error returned by OPA into located problems.
func toProblems(err error) []problem {
	if err == nil {
		return nil
	}
	var astErrs ast.Errors
	if errors.As(err, &astErrs) {
		out := make([]problem, 0, len(astErrs))
		for _, e := range astErrs {
			out = append(out, fromASTError(e))
		}
		return out
	}
	var astErr *ast.Error
	if errors.As(err, &astErr) {
		return []problem{fromASTError(astErr)}
	}
	var loadErrs loader.Errors
	if errors.As(err, &loadErrs) {
		out := []problem{}
		for _, e := range loadErrs {
			out = append(out, toProblems(e)...)
		}
		return out
	}
	return []problem{{Message: err.Error()}}
}

func fromASTError(e *ast.Error) problem {
	p := problem{Code: e.Code, Message: e.Message}
	if e.Location != nil {
		p.File, p.Line, p.Col = e.Location.File, e.Location.Row, e.Location.Col
	}
	return p
}

func problemf(format string, args ...any) []problem {
	return []problem{{Message: fmt.Sprintf(format, args...)}}
}

// undefinedFunctionPrefix is the type checker's message for a call to a
// builtin that is not in the capabilities in force.
const undefinedFunctionPrefix = "undefined function "

// explainUnsupportedBuiltins rewrites "undefined function X" errors for
// builtins that OPA knows but the WASM target cannot run.
func explainUnsupportedBuiltins(problems []problem, allowed map[string]bool) []problem {
	known := map[string]bool{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		known[b.Name] = true
	}
	for i, p := range problems {
		name, ok := strings.CutPrefix(p.Message, undefinedFunctionPrefix)
		if !ok || !known[name] || allowed[name] {
			continue
		}
		problems[i].Code = "rego_unsupported_builtin_error"
		if reason, refused := refusedBuiltins[name]; refused {
			problems[i].Message = fmt.Sprintf("builtin %s is not available to gateway policies: %s", name, reason)
		} else {
			problems[i].Message = fmt.Sprintf("builtin %s is not supported by the wasm target", name)
		}
	}
	return problems
}

// withTargetMessage is the compiler's message for a `with` target it does not know, as a refused
// builtin is: the target is named in the rewritten message.
const withTargetMessage = "with keyword target must reference existing input, data, or a function"

var refName = regexp.MustCompile(`^(?:with\s+)?([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)`)

// explainRefusedWithTargets rewrites that message when the target at its location is a refused builtin.
func explainRefusedWithTargets(problems []problem, files map[string]string) []problem {
	for i, p := range problems {
		if !strings.Contains(p.Message, withTargetMessage) || p.Line < 1 || p.Col < 1 {
			continue
		}
		lines := strings.Split(files[p.File], "\n")
		if p.Line > len(lines) || p.Col > len(lines[p.Line-1]) {
			continue
		}
		m := refName.FindStringSubmatch(lines[p.Line-1][p.Col-1:])
		if m == nil {
			continue
		}
		if reason, refused := refusedBuiltins[m[1]]; refused {
			problems[i].Code = "rego_unsupported_builtin_error"
			problems[i].Message = fmt.Sprintf("builtin %s is not available to gateway policies, not even replaced with `with` (outside tests): %s", m[1], reason)
		}
	}
	return problems
}
