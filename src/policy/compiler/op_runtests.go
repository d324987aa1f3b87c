package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// testTimeout bounds each test rule, like `opa test --timeout`.
const testTimeout = 5 * time.Second

// opTest runs test_* rules with OPA's own test runner (as `opa test`).
func opTest(ctx context.Context, req request) testResponse {
	caps := ast.CapabilitiesForThisVersion()
	modules, problems := parseModules(req.Files, caps)
	data, dataProblems := decodeData(req.Data)
	problems = append(problems, dataProblems...)
	if len(problems) > 0 {
		return testResponse{Results: []testResult{}, Errors: problems}
	}

	store := newStore(data)
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return testResponse{Results: []testResult{}, Errors: toProblems(err)}
	}
	defer store.Abort(ctx, txn)

	compiler, schemaProblems := withSchemas(ast.NewCompiler().WithCapabilities(caps).WithEnablePrintStatements(true).WithDefaultRegoVersion(ast.RegoV1), req.Schemas)
	if len(schemaProblems) > 0 {
		return testResponse{Results: []testResult{}, Errors: schemaProblems}
	}
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetDefaultRegoVersion(ast.RegoV1).
		SetStore(store).
		SetModules(modules).
		SetParallel(1).
		SetTimeout(testTimeout).
		CapturePrintOutput(true)
	var cov *cover.Cover
	if req.Coverage { // as `opa test --coverage`, which turns tracing off
		cov = cover.New()
		runner = runner.SetCoverageQueryTracer(cov)
	} else {
		runner = runner.EnableTracing(true) // to locate the failing expression, as `opa test -v`
	}
	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		return testResponse{Results: []testResult{}, Errors: schemaProblemsOf(err, req.Schemas)}
	}
	if ps := checkDecision(compiler, req.Schemas); len(ps) > 0 {
		for range ch { // let the runner finish before answering
		}
		return testResponse{Results: []testResult{}, Errors: ps}
	}

	results := []testResult{}
	allPass := true
	for r := range ch {
		tr := toTestResult(r)
		allPass = allPass && (tr.Pass || tr.Skip)
		results = append(results, tr)
	}
	resp := testResponse{OK: allPass, Results: results}
	if cov != nil {
		report := cov.Report(modules)
		resp.Coverage = &report
	}
	return resp
}

func toTestResult(r *tester.Result) testResult {
	tr := testResult{
		Package:    strings.TrimPrefix(r.Package, "data."),
		Name:       r.Name,
		Pass:       r.Pass(),
		Skip:       r.Skip,
		Output:     string(r.Output),
		DurationNs: r.Duration.Nanoseconds(),
	}
	if r.Location != nil {
		tr.Location = &location{File: r.Location.File, Line: r.Location.Row, Col: r.Location.Col}
	}
	switch {
	case r.Error != nil:
		tr.FailReason = r.Error.Error()
	case r.Fail && len(r.Trace) > 0: // no trace with coverage on: a plain failure
		tr.FailReason = failureLine(r.Trace)
	}
	return tr
}

// failureLine finds the last failed expression in a trace, like `opa test`'s
// reporter does for its "FAILURES" section.
func failureLine(trace []*topdown.Event) string {
	for _, e := range slices.Backward(trace) {
		if e.Op != topdown.FailOp || e.Location == nil || e.QueryID == 0 {
			continue
		}
		if expr, ok := e.Node.(*ast.Expr); ok {
			if _, isEvery := expr.Terms.(*ast.Every); isEvery {
				continue // the failing expression inside the every body comes first
			}
		}
		return fmt.Sprintf("%s:%d:%d: failed: %v", e.Location.File, e.Location.Row, e.Location.Col, e.Node)
	}
	return "test failed"
}
