package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/test/cases"
	"github.com/open-policy-agent/opa/v1/util"
)

// OPA's conformance cases (v1/test/cases/testdata/v1 in the OPA module), run
// as OPA's internal/wasm/sdk/test/e2e runner runs them: each case's query is
// compiled to WASM (with the gateway's capabilities), the host evaluates it
// through the gateway's own evaluation path, and conformanceCheck compares
// what it got with the case's expectation.

// conformanceCaseSet holds the cases of the conformanceCompile calls, by id.
var conformanceCaseSet = map[string]cases.TestCase{}

type conformanceCompiled struct {
	ID     string    `json:"id"` // file#index: notes repeat within a file
	Note   string    `json:"note"`
	File   string    `json:"file"`
	Wasm   string    `json:"wasm,omitempty"`
	Input  string    `json:"input,omitempty"` // Rego value text
	Data   string    `json:"data,omitempty"`  // JSON object text
	Errors []problem `json:"errors,omitempty"`
	// Verdict is set when the case is decided at compile time (refused, or an expected compile error).
	Verdict string `json:"verdict,omitempty"`
}

type conformanceCompileResponse struct {
	OK     bool                  `json:"ok"`
	Cases  []conformanceCompiled `json:"cases"`
	Errors []problem             `json:"errors,omitempty"`
}

// opConformanceCompile compiles every case of the given case files (path → YAML).
func opConformanceCompile(ctx context.Context, req request) conformanceCompileResponse {
	allowed := wasmAllowedBuiltins(req.HostBuiltins)
	caps := wasmCapabilities(allowed)
	out := conformanceCompileResponse{OK: true, Cases: []conformanceCompiled{}}
	for _, file := range sortedKeys(req.Files) {
		var set cases.Set
		if err := util.Unmarshal([]byte(req.Files[file]), &set); err != nil {
			out.Errors = append(out.Errors, problem{File: file, Message: err.Error()})
			continue
		}
		for i, tc := range set.Cases {
			tc.Filename = file
			id := fmt.Sprintf("%s#%d", file, i)
			conformanceCaseSet[id] = tc
			c := compileCase(ctx, tc, caps, allowed)
			c.ID = id
			out.Cases = append(out.Cases, c)
		}
	}
	out.OK = len(out.Errors) == 0
	return out
}

func compileCase(ctx context.Context, tc cases.TestCase, caps *ast.Capabilities, allowed map[string]bool) conformanceCompiled {
	c := conformanceCompiled{Note: tc.Note, File: tc.Filename}
	opts := []func(*rego.Rego){rego.Query(tc.Query), rego.SetRegoVersion(ast.RegoV1), rego.Capabilities(caps)}
	for i, m := range tc.Modules {
		opts = append(opts, rego.Module(fmt.Sprintf("module-%d.rego", i), m))
	}
	cr, err := rego.New(opts...).Compile(ctx)
	if err != nil {
		c.Errors = explainUnsupportedBuiltins(toProblems(err), allowed)
		c.Verdict = compileVerdict(tc, c.Errors)
		return c
	}
	c.Wasm = base64.StdEncoding.EncodeToString(cr.Bytes)
	if tc.Data != nil {
		bs, err := json.Marshal(*tc.Data)
		if err != nil {
			c.Errors, c.Verdict = problemf("data: %v", err), "error"
			return c
		}
		c.Data = string(bs)
	}
	switch {
	case tc.InputTerm != nil:
		t, err := ast.ParseTerm(*tc.InputTerm)
		if err != nil {
			c.Errors, c.Verdict = problemf("input_term: %v", err), "error"
			return c
		}
		c.Input = t.String()
	case tc.Input != nil:
		v, err := ast.InterfaceToValue(*tc.Input)
		if err != nil {
			c.Errors, c.Verdict = problemf("input: %v", err), "error"
			return c
		}
		c.Input = v.String()
	}
	return c
}

func compileVerdict(tc cases.TestCase, problems []problem) string {
	for _, p := range problems {
		if p.Code == "rego_unsupported_builtin_error" {
			return "refused"
		}
	}
	if tc.WantErrorCode == nil && tc.WantError == nil {
		return "error"
	}
	for _, p := range problems {
		if (tc.WantErrorCode != nil && p.Code == *tc.WantErrorCode) || (tc.WantError != nil && strings.Contains(p.Message, *tc.WantError)) {
			return "pass"
		}
	}
	return "error"
}

// conformanceOutcome is what the host got for one case: a JSON result set, or an error.
type conformanceOutcome struct {
	ID     string          `json:"id"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}

type conformanceVerdict struct {
	ID      string `json:"id"`
	Verdict string `json:"verdict"` // pass | wrong (a silent wrong answer) | error (failed loudly)
	Detail  string `json:"detail,omitempty"`
}

type conformanceCheckResponse struct {
	OK       bool                 `json:"ok"`
	Verdicts []conformanceVerdict `json:"verdicts"`
	Errors   []problem            `json:"errors,omitempty"`
}

// opConformanceCheck judges outcomes (req.Input: a JSON array of conformanceOutcome).
func opConformanceCheck(_ context.Context, req request) conformanceCheckResponse {
	var outcomes []conformanceOutcome
	if err := json.Unmarshal(req.Input, &outcomes); err != nil {
		return conformanceCheckResponse{Verdicts: []conformanceVerdict{}, Errors: problemf("input: %v", err)}
	}
	out := conformanceCheckResponse{OK: true, Verdicts: make([]conformanceVerdict, 0, len(outcomes))}
	for _, o := range outcomes {
		tc, ok := conformanceCaseSet[o.ID]
		if !ok {
			out.Verdicts = append(out.Verdicts, conformanceVerdict{ID: o.ID, Verdict: "error", Detail: "unknown case"})
			continue
		}
		delete(conformanceCaseSet, o.ID)
		v, detail := judge(tc, o)
		out.Verdicts = append(out.Verdicts, conformanceVerdict{ID: o.ID, Verdict: v, Detail: detail})
	}
	return out
}

// judge follows e2e's assert: want_defined, want_result (sort_bindings), want_error(_code) with strict_error.
func judge(tc cases.TestCase, o conformanceOutcome) (string, string) {
	wantsError := tc.WantErrorCode != nil || tc.WantError != nil
	if o.Error != "" {
		if !wantsError || tc.StrictError {
			return "error", o.Error
		}
		if errorMatches(tc, o.Error) {
			return "pass", ""
		}
		return "error", fmt.Sprintf("expected error %s, got %s", wantedError(tc), o.Error)
	}
	got, err := resultSet(o.Result, tc.SortBindings)
	if err != nil {
		return "error", err.Error()
	}
	switch {
	case tc.WantDefined != nil:
		if (got.Len() > 0) != *tc.WantDefined {
			return "wrong", fmt.Sprintf("expected defined=%v, got %v", *tc.WantDefined, got)
		}
		return "pass", ""
	case tc.WantResult != nil:
		want := expectedSet(*tc.WantResult)
		if want.Compare(got) != 0 {
			return "wrong", fmt.Sprintf("expected %v but got %v", want, got)
		}
		return "pass", ""
	case wantsError:
		if tc.StrictError && got.Len() == 0 {
			return "pass", "" // WASM has no strict builtin errors: the error shows as undefined
		}
		return "wrong", fmt.Sprintf("expected error %s, got result %v", wantedError(tc), got)
	}
	return "pass", ""
}

func wantedError(tc cases.TestCase) string {
	if tc.WantError != nil {
		return fmt.Sprintf("%q", *tc.WantError)
	}
	return *tc.WantErrorCode
}

func errorMatches(tc cases.TestCase, msg string) bool {
	if tc.WantError != nil && strings.Contains(msg, *tc.WantError) {
		return true
	}
	if tc.WantErrorCode == nil {
		return false
	}
	switch code := *tc.WantErrorCode; code {
	case "eval_conflict_error":
		return strings.Contains(msg, "var assignment conflict") || strings.Contains(msg, "object insert conflict") ||
			strings.Contains(msg, "object keys must be unique") || strings.Contains(msg, "functions must not produce multiple outputs") ||
			strings.Contains(msg, "complete rules must not produce multiple outputs")
	default:
		return strings.Contains(msg, code)
	}
}

func expectedSet(want []map[string]any) ast.Set {
	exp := ast.NewSet()
	for _, b := range want {
		obj := ast.NewObject()
		keys := make([]string, 0, len(b))
		for k := range b {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			obj.Insert(ast.StringTerm(k), ast.NewTerm(ast.MustInterfaceToValue(b[k])))
		}
		exp.Add(ast.NewTerm(obj))
	}
	return exp
}

// resultSet reads the JSON result set the host produced (sets already arrays, in the host's order).
func resultSet(raw json.RawMessage, sortBindings bool) (ast.Set, error) {
	got := ast.NewSet()
	if len(raw) == 0 {
		return got, nil
	}
	var rs []any
	if err := util.NewJSONDecoder(bytes.NewReader(raw)).Decode(&rs); err != nil {
		return nil, fmt.Errorf("result set is not JSON: %v", err)
	}
	for _, r := range rs {
		v, err := ast.InterfaceToValue(r)
		if err != nil {
			return nil, err
		}
		bindings, ok := v.(ast.Object)
		if !ok {
			return nil, fmt.Errorf("result %v is not an object of bindings", v)
		}
		obj := ast.NewObject()
		bindings.Foreach(func(k, x *ast.Term) {
			if a, isArray := x.Value.(*ast.Array); isArray && sortBindings {
				obj.Insert(k, ast.NewTerm(a.Sorted()))
			} else {
				obj.Insert(k, x)
			}
		})
		got.Add(ast.NewTerm(obj))
	}
	return got, nil
}
