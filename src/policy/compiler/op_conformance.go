package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
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
	ID   string `json:"id"` // file#index: notes repeat within a file
	Note string `json:"note"`
	File string `json:"file"`
	// Module indexes the response's modules; Entrypoint names the case's query in it. Bind is
	// set when the entrypoint is the case's `data.… = var` query as a rule: its result is var's binding.
	Module     int       `json:"module"`
	Entrypoint string    `json:"entrypoint,omitempty"`
	Bind       string    `json:"bind,omitempty"`
	Input      string    `json:"input,omitempty"` // Rego value text
	Errors     []problem `json:"errors,omitempty"`
	// Verdict is set when the case is decided at compile time (refused, or an expected compile error).
	Verdict string `json:"verdict,omitempty"`
}

type conformanceModule struct {
	Wasm string `json:"wasm"`
	Data string `json:"data"` // JSON object text
}

type conformanceCompileResponse struct {
	OK      bool                  `json:"ok"`
	Modules []conformanceModule   `json:"modules"`
	Cases   []conformanceCompiled `json:"cases"`
	Errors  []problem             `json:"errors,omitempty"`
}

// opConformanceCompile compiles every case of the given case files (path → YAML).
// Cases whose query is `data.<path> = <var>` are compiled many to a module, as the
// gateway compiles its policies (entrypoints), each under its own data.__c<n> prefix;
// the others (and a batch that fails to compile) one by one from their query.
func opConformanceCompile(ctx context.Context, req request) conformanceCompileResponse {
	allowed := wasmAllowedBuiltins(req.HostBuiltins)
	caps := wasmCapabilities(allowed)
	out := conformanceCompileResponse{OK: true, Modules: []conformanceModule{}, Cases: []conformanceCompiled{}}
	var batch []batchCase
	for _, file := range sortedKeys(req.Files) {
		set, err := loadCaseFile(file, req.Files[file])
		if err != nil {
			out.Errors = append(out.Errors, problem{File: file, Message: err.Error()})
			continue
		}
		for i, tc := range set.Cases {
			id := fmt.Sprintf("%s#%d", file, i)
			if m := simpleQuery.FindStringSubmatch(strings.TrimSpace(tc.Query)); m != nil && m[2] != "input" && m[2] != "data" && batchable(tc) {
				batch = append(batch, batchCase{id: id, tc: tc, path: m[1], bind: m[2]})
				continue
			}
			out.Cases = append(out.Cases, compileCase(ctx, &out, id, tc, caps, allowed))
		}
	}
	for len(batch) > 0 {
		n := min(len(batch), conformanceBatchSize)
		out.compileBatch(ctx, batch[:n], caps, allowed)
		batch = batch[n:]
	}
	out.OK = len(out.Errors) == 0
	return out
}

const conformanceBatchSize = 80

var simpleQuery = regexp.MustCompile(`^data((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*=\s*([A-Za-z_][A-Za-z0-9_]*)$`)

// batchable: nothing in the case can see its data.__c<n> prefix (rule metadata reports package
// paths), and it is not meant to fail compiling (which would fail its whole batch).
func batchable(tc cases.TestCase) bool {
	if tc.WantErrorCode != nil && strings.HasPrefix(*tc.WantErrorCode, "rego_") {
		return false
	}
	for _, m := range tc.Modules {
		if strings.Contains(m, "rego.metadata") || strings.Contains(m, "METADATA") {
			return false
		}
	}
	return true
}

type batchCase struct {
	id   string
	tc   cases.TestCase
	path string // ".test.p"
	bind string
}

// compileBatch compiles the group into one module; when that fails, each half on its own, down
// to single cases, which compile from their query (and report their errors).
func (out *conformanceCompileResponse) compileBatch(ctx context.Context, group []batchCase, caps *ast.Capabilities, allowed map[string]bool) {
	if len(group) == 1 {
		out.Cases = append(out.Cases, compileCase(ctx, out, group[0].id, group[0].tc, caps, allowed))
		return
	}
	opts := ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true, Capabilities: caps}
	b := &bundle.Bundle{Data: map[string]any{}}
	b.SetRegoVersion(ast.RegoV1)
	b.Manifest.Init()
	data := map[string]any{}
	var kept []batchCase
	var entrypoints []string
	for _, c := range group {
		prefix := fmt.Sprintf("__c%d", len(kept))
		modules, ok := prefixedModules(c.tc, prefix, opts)
		if !ok { // a data reference the prefix cannot reach: this case compiles on its own
			out.Cases = append(out.Cases, compileCase(ctx, out, c.id, c.tc, caps, allowed))
			continue
		}
		b.Modules = append(b.Modules, modules...)
		if c.tc.Data != nil {
			data[prefix] = *c.tc.Data
		}
		kept = append(kept, c)
		entrypoints = append(entrypoints, prefix+strings.ReplaceAll(c.path, ".", "/"))
	}
	if len(kept) == 0 {
		return
	}
	var raw []byte
	comp := compile.New().WithTarget(compile.TargetWasm).WithEntrypoints(entrypoints...).
		WithCapabilities(caps).WithRegoVersion(ast.RegoV1).WithBundle(b)
	if err := comp.Build(ctx); err == nil && comp.Bundle() != nil && len(comp.Bundle().WasmModules) > 0 {
		raw = comp.Bundle().WasmModules[0].Raw
	}
	dataJSON, err := json.Marshal(data)
	if raw == nil || err != nil {
		half := len(kept) / 2
		out.compileBatch(ctx, kept[:half], caps, allowed)
		out.compileBatch(ctx, kept[half:], caps, allowed)
		return
	}
	module := len(out.Modules)
	out.Modules = append(out.Modules, conformanceModule{Wasm: base64.StdEncoding.EncodeToString(raw), Data: string(dataJSON)})
	for n, c := range kept {
		cc := conformanceCompiled{ID: c.id, Note: c.tc.Note, File: c.tc.Filename, Module: module, Entrypoint: entrypoints[n], Bind: c.bind}
		cc.Input, cc.Errors = caseInput(c.tc)
		if cc.Errors != nil {
			cc.Verdict = "error"
		}
		out.Cases = append(out.Cases, cc)
	}
}

// unprefixedData finds a data reference left outside data.__c<n> (ast.Transform does not
// descend into `some … in` declarations, nor can it see refs inside strings).
var unprefixedData = regexp.MustCompile(`\bdata\b([^.\[]|\.[^_]|\[[^"]|$)`)

// prefixedModules parses the case's modules with every data reference moved under data.<prefix>.
func prefixedModules(tc cases.TestCase, prefix string, opts ast.ParserOptions) ([]bundle.ModuleFile, bool) {
	var out []bundle.ModuleFile
	for j, src := range tc.Modules {
		name := fmt.Sprintf("%s/module-%d.rego", prefix, j)
		m, err := ast.ParseModuleWithOpts(name, src, opts)
		if err != nil || m == nil {
			return nil, false
		}
		if _, err := ast.TransformRefs(m, underPrefix(prefix)); err != nil {
			return nil, false
		}
		text := m.String()
		for _, loc := range unprefixedData.FindAllStringIndex(text, -1) {
			if !strings.HasPrefix(text[loc[0]:], "data."+prefix) && !strings.HasPrefix(text[loc[0]:], `data["`+prefix) {
				return nil, false
			}
		}
		out = append(out, bundle.ModuleFile{URL: name, Path: name, Parsed: m, Raw: []byte(src)})
	}
	return out, true
}

// underPrefix moves every data reference under data.<prefix>.
func underPrefix(prefix string) func(ast.Ref) (ast.Value, error) {
	return func(r ast.Ref) (ast.Value, error) {
		if len(r) == 0 || !r[0].Equal(ast.DefaultRootDocument) {
			return r, nil
		}
		out := make(ast.Ref, 0, len(r)+1)
		out = append(out, r[0], ast.StringTerm(prefix))
		return append(out, r[1:]...), nil
	}
}

func caseInput(tc cases.TestCase) (string, []problem) {
	switch {
	case tc.InputTerm != nil:
		t, err := ast.ParseTerm(*tc.InputTerm)
		if err != nil {
			return "", problemf("input_term: %v", err)
		}
		return t.String(), nil
	case tc.Input != nil:
		v, err := ast.InterfaceToValue(*tc.Input)
		if err != nil {
			return "", problemf("input: %v", err)
		}
		return v.String(), nil
	}
	return "", nil
}

// compileCase compiles one case from its query, as OPA's e2e runner does, into a module of its own.
func compileCase(ctx context.Context, out *conformanceCompileResponse, id string, tc cases.TestCase, caps *ast.Capabilities, allowed map[string]bool) conformanceCompiled {
	c := conformanceCompiled{ID: id, Note: tc.Note, File: tc.Filename, Module: -1}
	opts := []func(*rego.Rego){rego.Query(tc.Query), rego.SetRegoVersion(ast.RegoV1), rego.Capabilities(caps)}
	for i, m := range tc.Modules {
		opts = append(opts, rego.Module(fmt.Sprintf("module-%d.rego", i), m))
	}
	cr, err := rego.New(opts...).Compile(ctx)
	if err != nil {
		sources := map[string]string{}
		for i, m := range tc.Modules {
			sources[fmt.Sprintf("module-%d.rego", i)] = m
		}
		c.Errors = explainRefusedWithTargets(explainUnsupportedBuiltins(toProblems(err), allowed), sources)
		c.Verdict = compileVerdict(tc, c.Errors)
		return c
	}
	data := "{}"
	if tc.Data != nil {
		bs, err := json.Marshal(*tc.Data)
		if err != nil {
			c.Errors, c.Verdict = problemf("data: %v", err), "error"
			return c
		}
		data = string(bs)
	}
	if c.Input, c.Errors = caseInput(tc); c.Errors != nil {
		c.Verdict = "error"
		return c
	}
	c.Module = len(out.Modules)
	out.Modules = append(out.Modules, conformanceModule{Wasm: base64.StdEncoding.EncodeToString(cr.Bytes), Data: data})
	return c
}

// loadCaseFile parses one case file and remembers its cases by id (file#index) for conformanceCheck.
func loadCaseFile(file, text string) (cases.Set, error) {
	var set cases.Set
	if err := util.Unmarshal([]byte(text), &set); err != nil {
		return set, err
	}
	for i := range set.Cases {
		set.Cases[i].Filename = file
		conformanceCaseSet[fmt.Sprintf("%s#%d", file, i)] = set.Cases[i]
	}
	return set, nil
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

// opConformanceCheck judges outcomes (req.Input: a JSON array of conformanceOutcome) against
// the cases of req.Files (the case files they came from; a host that kept compiled modules
// sends them again), or of earlier conformanceCompile calls.
func opConformanceCheck(_ context.Context, req request) conformanceCheckResponse {
	for _, file := range sortedKeys(req.Files) {
		if _, err := loadCaseFile(file, req.Files[file]); err != nil {
			return conformanceCheckResponse{Verdicts: []conformanceVerdict{}, Errors: []problem{{File: file, Message: err.Error()}}}
		}
	}
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
