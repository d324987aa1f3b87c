// Runs the Go (GOOS=js) compiler wasm in-process and exchanges JSON strings with it.

/** What main_js.go registers on globalThis[name]. */
interface GoApi {
  call(op: string, payload: string, callback: (response: string) => void): unknown;
  exit(): void;
  /** Synchronous: OPA's Go builtin `name` on Rego value text operands (builtin_js.go). */
  builtin?(seq: number, nowNs: string, name: string, ...operands: string[]): unknown;
}

interface Pending {
  resolve: (response: string) => void;
  reject: (error: Error) => void;
}

function isGoApi(value: unknown): value is GoApi {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.call === "function" && typeof v.exit === "function";
}

export class GoBridge {
  private readonly pending = new Set<Pending>();
  private exitError: Error | undefined;

  private constructor(
    private readonly api: GoApi,
    private readonly memory: WebAssembly.Memory | undefined,
    private readonly exited: Promise<void>,
  ) {}

  /** Settles when the Go program has exited (closed or crashed). */
  get closed(): Promise<void> {
    return this.exited;
  }

  static async start(wasm: Uint8Array | WebAssembly.Module): Promise<GoBridge> {
    await import("./wasm_exec.js"); // defines globalThis.Go
    const go = new Go();
    const name = `__tollgateRegoCompiler_${crypto.randomUUID().replaceAll("-", "")}`;
    go.argv = ["policycompiler", name];
    go.env = {};
    let exitCode = 0;
    go.exit = (code: number) => {
      exitCode = code;
      // wasm_exec.js leaves Go's timers scheduled; one firing after exit throws
      // "Go program has already exited" from a timer callback (crashing the host).
      for (const timer of go._scheduledTimeouts.values()) clearTimeout(timer);
      go._scheduledTimeouts.clear();
    };
    const instance = wasm instanceof WebAssembly.Module ? await WebAssembly.instantiate(wasm, go.importObject) : (await WebAssembly.instantiate(wasm, go.importObject)).instance;
    const memory = instance.exports.mem instanceof WebAssembly.Memory ? instance.exports.mem : undefined;

    let bridge: GoBridge | undefined;
    // run() executes main() synchronously until it blocks, then settles on exit.
    const exited = go.run(instance).then(
      () => bridge?.onExit(new Error(`rego compiler runtime exited (code ${exitCode})`)),
      (err: unknown) => bridge?.onExit(err instanceof Error ? err : new Error(String(err))),
    );
    const globals = globalThis as Record<string, unknown>;
    const api = globals[name];
    delete globals[name];
    if (!isGoApi(api)) throw new Error("rego compiler wasm did not register its API");
    bridge = new GoBridge(api, memory, exited);
    return bridge;
  }

  call(op: string, payload: string): Promise<string> {
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise<string>((resolve, reject) => {
      const entry: Pending = { resolve, reject };
      this.pending.add(entry);
      const callback = (response: string) => {
        this.pending.delete(entry);
        resolve(response);
      };
      try {
        const immediate = this.api.call(op, payload, callback);
        if (typeof immediate === "string") callback(immediate);
      } catch (err) {
        this.pending.delete(entry);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /**
   * Runs OPA's Go implementation of builtin `name` synchronously, on this thread: the Rego value
   * text of its result, null when it is undefined for these operands; throws when the
   * evaluation must fail. Call it only while no operation is running on this runtime.
   */
  builtin(seq: number, nowNs: string, name: string, operands: string[]): string | null {
    if (this.exitError) throw this.exitError;
    if (!this.api.builtin) throw new Error('this rego compiler wasm has no builtin host (rebuild it)');
    const r = this.api.builtin(seq, nowNs, name, ...operands);
    if (typeof r === 'string' || r === null) return r;
    const message = typeof r === 'object' && r !== null && 'error' in r ? String(r.error) : `unexpected answer from builtin ${name}`;
    throw new Error(message);
  }

  memoryBytes(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }

  async close(): Promise<void> {
    if (!this.exitError) {
      this.onExit(new Error("rego compiler is closed"));
      this.api.exit();
    }
    await this.exited;
  }

  private onExit(error: Error): void {
    this.exitError ??= error;
    for (const p of this.pending) p.reject(this.exitError);
    this.pending.clear();
  }
}
