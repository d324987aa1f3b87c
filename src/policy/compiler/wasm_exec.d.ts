// Types for wasm_exec.js (copied from the Go toolchain by build.ts). Importing
// it defines globalThis.Go (and globalThis.fs / globalThis.path stubs if absent).
declare global {
  class Go {
    argv: string[];
    env: Record<string, string>;
    exited: boolean;
    importObject: WebAssembly.Imports;
    exit: (code: number) => void;
    run(instance: WebAssembly.Instance): Promise<void>;
    /** Internal: pending Go timer events (setTimeout handles), not cleared on exit. */
    _scheduledTimeouts: Map<number, ReturnType<typeof setTimeout>>;
  }
}
export {};
