//go:build js && wasm

package main

import (
	"os"
	"sync"
	"syscall/js"
)

// main registers {call, exit} on globalThis[os.Args[1]] and waits until the
// host calls exit(). call(op, requestJSON, callback) runs the operation on a
// new goroutine (blocking is allowed there) and invokes callback(responseJSON).
func main() {
	if len(os.Args) < 2 {
		println("policycompiler: missing global name argument")
		os.Exit(2)
	}
	done := make(chan struct{})
	var once sync.Once

	call := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 3 || args[2].Type() != js.TypeFunction {
			return errorf("call(op, requestJSON, callback) expects 3 arguments")
		}
		op, payload, callback := args[0].String(), args[1].String(), args[2]
		go func() { callback.Invoke(dispatch(op, payload)) }()
		return nil
	})
	exit := js.FuncOf(func(js.Value, []js.Value) any {
		once.Do(func() { close(done) })
		return nil
	})

	api := js.Global().Get("Object").New()
	api.Set("call", call)
	api.Set("exit", exit)
	builtin := builtinFunc()
	api.Set("builtin", builtin)
	js.Global().Set(os.Args[1], api)

	<-done
	call.Release()
	exit.Release()
	builtin.Release()
}
