package main

import (
	"context"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// prepareQuery compiles the modules and prepares the query for OPA's own
// (topdown) evaluator.
func prepareQuery(ctx context.Context, req request) (*rego.PreparedEvalQuery, []problem) {
	if req.Query == "" {
		return nil, problemf("query is required (e.g. \"data.gateway.decision\")")
	}
	caps := ast.CapabilitiesForThisVersion()
	modules, problems := parseModules(req.Files, caps)
	data, dataProblems := decodeData(req.Data)
	problems = append(problems, dataProblems...)
	if len(problems) > 0 {
		return nil, problems
	}
	compiler, problems := compileModules(modules, caps)
	if len(problems) > 0 {
		return nil, problems
	}
	pq, err := rego.New(
		rego.Query(req.Query),
		rego.Compiler(compiler),
		rego.Store(newStore(data)),
		rego.SetRegoVersion(ast.RegoV1),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, toProblems(err)
	}
	return &pq, nil
}

// evalOne evaluates the prepared query for one raw JSON input (nil: no input).
func evalOne(ctx context.Context, pq *rego.PreparedEvalQuery, raw []byte) evalOutcome {
	var opts []rego.EvalOption
	if len(raw) > 0 {
		input, err := decodeJSON(raw)
		if err != nil {
			return evalOutcome{Error: "input: " + err.Error()}
		}
		opts = append(opts, rego.EvalInput(input))
	}
	rs, err := pq.Eval(ctx, opts...)
	if err != nil {
		return evalOutcome{Error: err.Error()}
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return evalOutcome{}
	}
	return evalOutcome{Defined: true, Result: jsonSafe(rs[0].Expressions[0].Value)}
}

func opEval(ctx context.Context, req request) evalResponse {
	pq, problems := prepareQuery(ctx, req)
	if len(problems) > 0 {
		return evalResponse{Errors: problems}
	}
	out := evalOne(ctx, pq, req.Input)
	return evalResponse{OK: out.Error == "", evalOutcome: out}
}

func opEvalBatch(ctx context.Context, req request) evalBatchResponse {
	pq, problems := prepareQuery(ctx, req)
	if len(problems) > 0 {
		return evalBatchResponse{Results: []evalOutcome{}, Errors: problems}
	}
	results := make([]evalOutcome, len(req.Inputs))
	ok := true
	for i, raw := range req.Inputs {
		results[i] = evalOne(ctx, pq, raw)
		ok = ok && results[i].Error == ""
	}
	return evalBatchResponse{OK: ok, Results: results}
}
