package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
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

	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithCapabilities(caps).WithEnablePrintStatements(true).WithDefaultRegoVersion(ast.RegoV1)).
		SetDefaultRegoVersion(ast.RegoV1).
		SetStore(store).
		SetModules(modules).
		SetParallel(1).
		SetTimeout(testTimeout).
		CapturePrintOutput(true).
		RunTests(ctx, txn)
	if err != nil {
		return testResponse{Results: []testResult{}, Errors: toProblems(err)}
	}

	results := []testResult{}
	allPass := true
	for r := range ch {
		tr := toTestResult(r)
		allPass = allPass && (tr.Pass || tr.Skip)
		results = append(results, tr)
	}
	return testResponse{OK: allPass, Results: results}
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
	case r.Fail && r.FailedAt != nil && r.FailedAt.Location != nil:
		loc := r.FailedAt.Location
		tr.FailReason = fmt.Sprintf("%s:%d:%d: expression failed: %s", loc.File, loc.Row, loc.Col, r.FailedAt.String())
	case r.Fail:
		tr.FailReason = "test failed"
	}
	return tr
}

