// In-process Rego compiler: OPA (Go) compiled to WebAssembly, run inside Bun.
// Nothing happens at import time; call createRegoCompiler().
import { GoBridge } from "./go-bridge.ts";
import type {
  CheckResult,
  CompileRequest,
  CompileResult,
  EvalBatchResult,
  EvalRequest,
  EvalResult,
  Json,
  RegoCompiler,
  RegoProblem,
  SourcesRequest,
  TestRunResult,
} from "./types.ts";

export type * from "./types.ts";

/** Builtins @open-policy-agent/opa-wasm implements in JavaScript (src/builtins). */
export const OPA_WASM_JS_BUILTINS: readonly string[] = [
  "json.is_valid",
  "regex.split",
  "sprintf",
  "yaml.is_valid",
  "yaml.marshal",
  "yaml.unmarshal",
];

export interface RegoCompilerOptions {
  /** The compiler wasm bytes; default: build/compiler.wasm.zst inflated (embedded by `bun build --compile`). */
  wasm?: Uint8Array;
}

// Only the compressed copy is referenced, so only it is embedded; it is inflated here, on the
// first compile, never on a start with precompiled policies.
async function loadDefaultWasm(): Promise<Uint8Array> {
  let path: string;
  try {
    path = (await import("./build/compiler.wasm.zst", { with: { type: "file" } })).default;
  } catch (err) {
    throw new Error(`rego compiler wasm not built; run: bun src/policy/compiler/build.ts (${String(err)})`);
  }
  return Bun.zstdDecompressSync(await Bun.file(path).bytes());
}

interface WireCompile {
  ok: boolean;
  wasm?: string;
  revision?: string;
  errors?: RegoProblem[];
}

export async function createRegoCompiler(options: RegoCompilerOptions = {}): Promise<RegoCompiler> {
  const bridge = await GoBridge.start(options.wasm ?? (await loadDefaultWasm()));
  const call = async <T>(op: string, req: object): Promise<T> => JSON.parse(await bridge.call(op, JSON.stringify(req))) as T;
  const withErrors = <T extends { errors?: RegoProblem[] }>(r: T): T & { errors: RegoProblem[] } => ({ ...r, errors: r.errors ?? [] });

  return {
    async compile(req: CompileRequest): Promise<CompileResult> {
      const r = await call<WireCompile>("compile", { ...req, hostBuiltins: req.hostBuiltins ?? OPA_WASM_JS_BUILTINS });
      if (r.ok && r.wasm !== undefined && r.revision !== undefined) {
        return { ok: true, wasm: Uint8Array.from(Buffer.from(r.wasm, "base64")), revision: r.revision };
      }
      return { ok: false, errors: r.errors ?? [{ file: "", line: 0, col: 0, message: "compile failed" }] };
    },
    async check(req: SourcesRequest): Promise<CheckResult> {
      return withErrors(await call<CheckResult>("check", req));
    },
    async test(req: SourcesRequest): Promise<TestRunResult> {
      return withErrors(await call<TestRunResult>("test", req));
    },
    async eval(req: EvalRequest & { input?: Json }): Promise<EvalResult> {
      return withErrors(await call<EvalResult>("eval", req));
    },
    async evalBatch(req: EvalRequest & { inputs: Json[] }): Promise<EvalBatchResult> {
      return withErrors(await call<EvalBatchResult>("evalBatch", req));
    },
    memoryBytes: () => bridge.memoryBytes(),
    close: () => bridge.close(),
  };
}
