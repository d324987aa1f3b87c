package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
)

type failure struct {
	OK     bool      `json:"ok"`
	Errors []problem `json:"errors"`
}

// dispatch runs one operation on a JSON request and returns a JSON response.
// It never panics: a panic inside OPA becomes an error response.
func dispatch(op string, payload string) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = mustJSON(failure{Errors: problemf("internal error in %s: %v\n%s", op, r, debug.Stack())})
		}
	}()
	var req request
	if err := json.Unmarshal([]byte(payload), &req); err != nil {
		return mustJSON(failure{Errors: problemf("invalid request: %v", err)})
	}
	ctx := context.Background()
	switch op {
	case "compile":
		return mustJSON(opCompile(ctx, req))
	case "check":
		return mustJSON(opCheck(ctx, req))
	case "test":
		return mustJSON(opTest(ctx, req))
	case "eval":
		return mustJSON(opEval(ctx, req))
	case "explain":
		return mustJSON(opExplain(ctx, req))
	case "evalBatch":
		return mustJSON(opEvalBatch(ctx, req))
	case "conformanceCompile":
		return mustJSON(opConformanceCompile(ctx, req))
	case "conformanceCheck":
		return mustJSON(opConformanceCheck(ctx, req))
	case "__panic": // exercised by tests of the recovery path
		panic("deliberate panic")
	default:
		return mustJSON(failure{Errors: problemf("unknown operation %q", op)})
	}
}

func mustJSON(v any) string {
	bs, err := json.Marshal(v)
	if err != nil {
		bs, _ = json.Marshal(failure{Errors: problemf("cannot encode response: %v", err)})
	}
	return string(bs)
}

// errorf is a convenience for building a failure response string.
func errorf(format string, args ...any) string {
	return mustJSON(failure{Errors: []problem{{Message: fmt.Sprintf(format, args...)}}})
}
