package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/builtins"
)

// The builtin host runs OPA's own (topdown) implementation of a builtin for a
// policy evaluated as WASM, as OPA's Go WASM SDK does: operands arrive as Rego
// value text (opa_value_dump), the result leaves as Rego value text
// (opa_value_parse reads it). It runs synchronously on the caller's thread.

// hostSession is the builtin context of one policy evaluation: its timestamp
// (time.now_ns) and its per-evaluation cache stay the same for every call
// carrying the same evaluation number.
type hostSession struct {
	seq  float64
	bctx topdown.BuiltinContext
}

var (
	session  = hostSession{seq: -1}
	hostCaps *ast.Capabilities
)

func sessionFor(seq float64, nowNs string) topdown.BuiltinContext {
	if seq != session.seq {
		session = hostSession{seq: seq, bctx: topdown.BuiltinContext{
			Context:      context.Background(),
			Metrics:      metrics.New(),
			Seed:         rand.Reader,
			Time:         ast.NumberTerm(jsonNumber(nowNs)),
			Cancel:       topdown.NewCancel(),
			Cache:        builtins.Cache{},
			Capabilities: capabilities(),
		}}
	}
	return session.bctx
}

// callBuiltin evaluates builtin `name` on operands (Rego value text). It
// returns the result as Rego value text, defined=false when the builtin is
// undefined for these operands (as a non-halting builtin error is in OPA's
// default, non-strict mode), or an error that must abort the evaluation.
func callBuiltin(seq float64, nowNs, name string, operands []string) (out string, defined bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: internal error: %v", name, r)
		}
	}()
	if reason, refused := refusedBuiltins[name]; refused {
		return "", false, fmt.Errorf("builtin %s is not available: %s", name, reason)
	}
	fn := topdown.GetBuiltin(name)
	if fn == nil {
		return "", false, fmt.Errorf("builtin %s is not implemented", name)
	}
	terms := make([]*ast.Term, len(operands))
	for i, s := range operands {
		t, perr := parseOperand(s)
		if perr != nil {
			return "", false, fmt.Errorf("%s: operand %d: %v", name, i+1, perr)
		}
		terms[i] = t
	}
	var result *ast.Term
	berr := fn(sessionFor(seq, nowNs), terms, func(t *ast.Term) error {
		result = t
		return nil
	})
	if berr != nil {
		var halt topdown.Halt
		if errors.As(berr, &halt) {
			return "", false, berr
		}
		return "", false, nil
	}
	if result == nil {
		return "", false, nil
	}
	return result.String(), true, nil
}
