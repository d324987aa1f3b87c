package main

import (
	"encoding/json"

	"github.com/open-policy-agent/opa/v1/cover"
)

// request is the single JSON shape accepted by every operation; each
// operation reads only the fields it needs.
type request struct {
	Files       map[string]string `json:"files"`
	Entrypoints []string          `json:"entrypoints,omitempty"`
	Data        json.RawMessage   `json:"data,omitempty"`
	Query       string            `json:"query,omitempty"`
	Input       json.RawMessage   `json:"input,omitempty"`
	Inputs      []json.RawMessage `json:"inputs,omitempty"`
	// HostBuiltins names non-native builtins the WASM host implements
	// (opa-wasm's JS builtins by default, set by the TypeScript wrapper).
	HostBuiltins []string `json:"hostBuiltins,omitempty"`
	// Schemas type-check compile, check and test (op_schemas.go).
	Schemas *schemaRequest `json:"schemas,omitempty"`
	// Coverage makes test report coverage, as `opa test --coverage`.
	Coverage bool `json:"coverage,omitempty"`
}

// problem is a compile/parse/type error, or a failure with no location (line 0).
type problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

type compileResponse struct {
	OK       bool      `json:"ok"`
	Wasm     string    `json:"wasm,omitempty"`
	Revision string    `json:"revision,omitempty"`
	Errors   []problem `json:"errors,omitempty"`
}

type checkResponse struct {
	OK     bool      `json:"ok"`
	Errors []problem `json:"errors,omitempty"`
}

type location struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

type testResult struct {
	Package    string    `json:"package"`
	Name       string    `json:"name"`
	Pass       bool      `json:"pass"`
	Skip       bool      `json:"skip,omitempty"`
	FailReason string    `json:"fail_reason,omitempty"`
	Output     string    `json:"output,omitempty"`
	DurationNs int64     `json:"duration_ns"`
	Location   *location `json:"location,omitempty"`
}

type testResponse struct {
	OK       bool          `json:"ok"`
	Results  []testResult  `json:"results"`
	Coverage *cover.Report `json:"coverage,omitempty"`
	Errors   []problem     `json:"errors,omitempty"`
}

// evalOutcome is one evaluation: Defined=false means the query was undefined.
type evalOutcome struct {
	Defined bool   `json:"defined"`
	Result  any    `json:"result,omitempty"`
	Error   string `json:"error,omitempty"`
}

type evalResponse struct {
	OK bool `json:"ok"`
	evalOutcome
	Errors []problem `json:"errors,omitempty"`
}

type evalBatchResponse struct {
	OK      bool          `json:"ok"`
	Results []evalOutcome `json:"results"`
	Errors  []problem     `json:"errors,omitempty"`
}
