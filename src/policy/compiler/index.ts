// In-process Rego compiler: OPA (Go) compiled to WebAssembly, run inside Bun.
// Nothing happens at import time; call createRegoCompiler().
import { unbrotli } from "../../lib/brotli.ts";
import { GoBridge } from "./go-bridge.ts";
import type {
  CheckResult,
  CompileRequest,
  CompileResult,
  EvalBatchResult,
  EvalRequest,
  EvalResult,
  ExplainResult,
  Json,
  RegoCompiler,
  RegoProblem,
  SourcesRequest,
  TestRequest,
  TestRunResult,
} from "./types.ts";

export type * from "./types.ts";
export type { GoBridge } from "./go-bridge.ts";

export interface RegoCompilerOptions {
  /** The compiler wasm bytes; default: build/compiler.wasm.br inflated (embedded by `bun build --compile`). */
  wasm?: Uint8Array;
}

async function compressedWasm(): Promise<Uint8Array> {
  let path: string;
  try {
    path = (await import("./build/compiler.wasm.br", { with: { type: "file" } })).default;
  } catch (err) {
    throw new Error(`rego compiler wasm not built; run: bun src/policy/compiler/build.ts (${String(err)})`);
  }
  return Bun.file(path).bytes();
}

let id: Promise<string> | undefined;

/** Set by scripts/build.ts to `compilerIdOf` the embedded compiler, so a start does not hash 6 MiB. */
declare const TOLLGATE_COMPILER_ID: string | undefined;

/** The id of the compiler whose compressed wasm is `compressed`. */
export const compilerIdOf = (compressed: Uint8Array): string =>
  `wasm-sha256:${new Bun.CryptoHasher("sha256").update(compressed).digest("hex")}`;

/**
 * Names the compiler build: a sha-256 of the compressed compiler wasm. Everything that can change
 * what the compiler produces (OPA version, our Go sources, the Go toolchain, build flags) changes
 * these bytes, so compiled policies are cached under it.
 */
export function compilerId(): Promise<string> {
  id ??= typeof TOLLGATE_COMPILER_ID === "string" ? Promise.resolve(TOLLGATE_COMPILER_ID) : compressedWasm().then(compilerIdOf);
  return id;
}

// Compiling the 39 MiB module takes ~1 s; instantiating a compiled one ~40 ms. The compiled
// module is kept while compilers are in use and for a short while after the last one closes
// (a reload, or a CLI command that compiles then evaluates), then dropped with its machine code.
const MODULE_IDLE_MS = 10_000;
let defaultModule: Promise<WebAssembly.Module> | undefined;
let inUse = 0;
let dropTimer: ReturnType<typeof setTimeout> | undefined;

// Only the compressed copy is referenced, so only it is embedded; it is inflated here, on the
// first compile, never on a start with precompiled policies.
function acquireDefaultModule(): Promise<WebAssembly.Module> {
  clearTimeout(dropTimer);
  inUse++;
  const mine = (defaultModule ??= compressedWasm().then((br) => WebAssembly.compile(unbrotli(br))));
  mine.catch(() => {
    if (defaultModule === mine) defaultModule = undefined;
  });
  return mine;
}

function releaseDefaultModule(): void {
  if (--inUse > 0) return;
  clearTimeout(dropTimer);
  dropTimer = setTimeout(() => (defaultModule = undefined), MODULE_IDLE_MS);
  dropTimer.unref?.(); // a kept module must not keep the process alive
}

/**
 * Starts a Go runtime of the embedded compiler for its synchronous builtin host (GoBridge.builtin);
 * it keeps the compiled module until closed.
 */
export async function startGoRuntime(): Promise<GoBridge> {
  let bridge: GoBridge;
  try {
    bridge = await GoBridge.start(await acquireDefaultModule());
  } catch (err) {
    releaseDefaultModule();
    throw err;
  }
  void bridge.closed.then(releaseDefaultModule);
  return bridge;
}

interface WireCompile {
  ok: boolean;
  wasm?: string;
  revision?: string;
  errors?: RegoProblem[];
}

export async function createRegoCompiler(options: RegoCompilerOptions = {}): Promise<RegoCompiler> {
  const bridge = options.wasm ? await GoBridge.start(options.wasm) : await startGoRuntime();
  const call = async <T>(op: string, req: object): Promise<T> => JSON.parse(await bridge.call(op, JSON.stringify(req))) as T;
  const withErrors = <T extends { errors?: RegoProblem[] }>(r: T): T & { errors: RegoProblem[] } => ({ ...r, errors: r.errors ?? [] });

  return {
    async compile(req: CompileRequest): Promise<CompileResult> {
      const r = await call<WireCompile>("compile", req);
      if (r.ok && r.wasm !== undefined && r.revision !== undefined) {
        return { ok: true, wasm: Uint8Array.from(Buffer.from(r.wasm, "base64")), revision: r.revision };
      }
      return { ok: false, errors: r.errors ?? [{ file: "", line: 0, col: 0, message: "compile failed" }] };
    },
    async check(req: SourcesRequest): Promise<CheckResult> {
      return withErrors(await call<CheckResult>("check", req));
    },
    async test(req: TestRequest): Promise<TestRunResult> {
      return withErrors(await call<TestRunResult>("test", req));
    },
    async eval(req: EvalRequest & { input?: Json }): Promise<EvalResult> {
      return withErrors(await call<EvalResult>("eval", req));
    },
    async evalBatch(req: EvalRequest & { inputs: Json[] }): Promise<EvalBatchResult> {
      return withErrors(await call<EvalBatchResult>("evalBatch", req));
    },
    async explain(req: EvalRequest & { input?: Json }): Promise<ExplainResult> {
      const r = withErrors(await call<ExplainResult>("explain", req));
      return { ...r, rules: r.rules ?? [], trace: r.trace ?? "" };
    },
    memoryBytes: () => bridge.memoryBytes(),
    close: () => bridge.close(),
  };
}
