//go:build !(js && wasm)

package main

import (
	"fmt"
	"io"
	"os"
)

// main (native builds only, for debugging): policycompiler <op> < request.json
func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: policycompiler compile|check|test|eval|evalBatch < request.json")
		os.Exit(2)
	}
	payload, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(dispatch(os.Args[1], string(payload)))
}
