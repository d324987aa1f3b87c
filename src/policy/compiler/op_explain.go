package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/lineage"
)

// firedRule is a rule whose body succeeded during the evaluation: one that
// contributed a value (directly or through the rules that use it).
type firedRule struct {
	Rule     string   `json:"rule"`
	Location location `json:"location"`
	Default  bool     `json:"default,omitempty"`
	// Times counts how often it succeeded (a partial rule once per element).
	Times int `json:"times"`
}

type explainResponse struct {
	OK bool `json:"ok"`
	evalOutcome
	// Rules in the order they first succeeded.
	Rules []firedRule `json:"rules"`
	// Trace is OPA's pretty trace of the relevant events (as `opa eval --explain=full`).
	Trace  string    `json:"trace"`
	Errors []problem `json:"errors,omitempty"`
}

// opExplain evaluates the query once with OPA's tracer and reports the result,
// the rules that succeeded and the trace.
func opExplain(ctx context.Context, req request) explainResponse {
	pq, problems := prepareQuery(ctx, req)
	if len(problems) > 0 {
		return explainResponse{Rules: []firedRule{}, Errors: problems}
	}
	buf := topdown.NewBufferTracer()
	opts := []rego.EvalOption{rego.EvalQueryTracer(buf)}
	if len(req.Input) > 0 {
		input, err := decodeJSON(req.Input)
		if err != nil {
			return explainResponse{Rules: []firedRule{}, evalOutcome: evalOutcome{Error: "input: " + err.Error()}}
		}
		opts = append(opts, rego.EvalInput(input))
	}
	rs, err := pq.Eval(ctx, opts...)
	out := evalOutcome{}
	if err != nil {
		out.Error = err.Error()
	} else if len(rs) > 0 && len(rs[0].Expressions) > 0 {
		out = evalOutcome{Defined: true, Result: rs[0].Expressions[0].Value}
	}
	var text bytes.Buffer
	topdown.PrettyTraceWithLocation(&text, lineage.Full(*buf))
	return explainResponse{OK: out.Error == "", evalOutcome: out, Rules: firedRules(*buf), Trace: text.String()}
}

func firedRules(events []*topdown.Event) []firedRule {
	rules := []firedRule{}
	index := map[*ast.Rule]int{}
	for _, ev := range events {
		if ev.Op != topdown.ExitOp {
			continue
		}
		rule, ok := ev.Node.(*ast.Rule)
		if !ok {
			continue
		}
		if i, seen := index[rule]; seen {
			rules[i].Times++
			continue
		}
		index[rule] = len(rules)
		loc := location{}
		if rule.Location != nil {
			loc = location{File: rule.Location.File, Line: rule.Location.Row, Col: rule.Location.Col}
		}
		name := rule.Head.Ref().String()
		if rule.Module != nil {
			name = fmt.Sprintf("%s.%s", rule.Module.Package.Path, rule.Head.Ref())
		}
		rules = append(rules, firedRule{Rule: name, Location: loc, Default: rule.Default, Times: 1})
	}
	return rules
}
