package main

import (
	"encoding/json"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
)

// inputPathsSection is the name of the custom section the compiler adds to a policy module:
// the parts of `input` the policy can read, so the host serialises only those (parsing the
// input document is about half of an evaluation's cost in the wasm runtime).
const inputPathsSection = "tollgate.input_paths"

// inputPaths lists every ground prefix of an `input` reference in the modules: `input.a.b[x]`
// gives ["a","b"]. A reference to `input` itself, or one indexed by a variable at its first
// step, means the whole document is needed (all = true). Imports, rule heads, `with` targets,
// comprehensions and template strings are all walked.
func inputPaths(modules map[string]*ast.Module) (paths [][]string, all bool) {
	seen := map[string]bool{}
	for _, name := range sortedKeys(modules) {
		ast.WalkRefs(modules[name], func(r ast.Ref) bool {
			if len(r) == 0 || !r[0].Equal(ast.InputRootDocument) {
				return false
			}
			var p []string
			for _, t := range r[1:] {
				s, ok := t.Value.(ast.String)
				if !ok {
					break
				}
				p = append(p, string(s))
			}
			if len(p) == 0 {
				all = true
				return false
			}
			if k := pathKey(p); !seen[k] {
				seen[k] = true
				paths = append(paths, p)
			}
			return false
		})
	}
	sort.Slice(paths, func(i, j int) bool { return pathKey(paths[i]) < pathKey(paths[j]) })
	return paths, all
}

// inputPathsPayload is the section's content, {"all":true} or {"paths":[...]}. It must be taken
// from the modules as parsed: compiling rewrites them in place.
func inputPathsPayload(modules map[string]*ast.Module) []byte {
	paths, all := inputPaths(modules)
	payload := map[string]any{"all": true}
	if !all {
		if paths == nil {
			paths = [][]string{}
		}
		payload = map[string]any{"paths": paths}
	}
	body, _ := json.Marshal(payload)
	return body
}

// pathKey names a path unambiguously (keys may hold any character, NUL included).
func pathKey(p []string) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// withInputPaths appends the custom section to a compiled module.
func withInputPaths(wasm []byte, body []byte) []byte {
	name := []byte(inputPathsSection)
	content := append(append(uleb(uint64(len(name))), name...), body...)
	out := append([]byte{}, wasm...)
	out = append(out, 0) // custom section id
	out = append(out, uleb(uint64(len(content)))...)
	return append(out, content...)
}

func uleb(n uint64) []byte {
	var out []byte
	for {
		b := byte(n & 0x7f)
		n >>= 7
		if n != 0 {
			out = append(out, b|0x80)
			continue
		}
		return append(out, b)
	}
}
