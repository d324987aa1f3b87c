import { acquireBuiltinHost } from './builtin-host.ts';
import { instantiateOpa, type BuiltinHost, type OpaInstance } from './opa-abi.ts';
import { decodeResultSet, type BigNumbers } from './opa-value.ts';
import { FUEL_EXPORT, FUEL_UNLIMITED } from './wasm-fuel.ts';
import { preparedWasm } from './wasm-prepare.ts';
import { moduleInputProjection, type InputProjection } from './input-projection.ts';

/** One instance of a policy module, as the engine uses it. */
export interface FuelledPolicy {
  /** The result set, decoded as OPA's Go runtime serialises it (sets sorted; a big integer is an error unless kept). */
  evaluate(input: ArrayBuffer | Uint8Array | undefined, entrypoint: number, bigNumbers?: BigNumbers): unknown;
  /** The result set's value text for the input document's JSON text (decode it with decodeResultSet), or its size when over `maxBytes`. */
  evaluateJson(json: string, maxBytes: number, entrypoint: number): string | { tooLarge: number };
  /**
   * `evaluateJson` of the object `rest` with `members` (top-level members, as name and JSON text)
   * added, which stay parsed in memory while they are the same as the last call's: only `rest`
   * is parsed then. An evaluation spends the fuel parsing the members took, kept or not, so its
   * answer does not depend on what an earlier one left kept. `maxBytes` bounds the whole document.
   */
  evaluateWithMembers(rest: string, members: readonly (readonly [string, string])[], maxBytes: number, entrypoint: number): string | { tooLarge: number };
  entrypoints: Record<string, number>;
  /** Loop iterations left; the engine refills it before each evaluation. */
  fuel: WebAssembly.Global;
  /** Keeps the parts of an input document the policy can read (the module's own list); undefined: all of it. */
  projectInput?: InputProjection;
}

export interface InstantiateOptions {
  /** Wall clock for time.now_ns (ms since the epoch), read once per evaluation. */
  now?: () => number;
  /** The host for builtins the module does not build in; default: the embedded Go runtime, started on need. */
  host?: () => Promise<BuiltinHost>;
}

const PAGE = 64 * 1024;

const exactBuffer = (b: Uint8Array): ArrayBuffer => (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b.buffer : b.slice().buffer);

/**
 * Meters and compiles `wasm` once, and returns a synchronous factory of fresh instances with
 * `data` loaded. Each instance gets its own memory capped at `maxMemoryBytes`: a runaway
 * evaluation fails its allocation (opa_malloc aborts) instead of growing the process.
 * A module that calls builtins through the host gets the host before the factory returns.
 */
export async function instantiatePolicy(wasm: Uint8Array, maxMemoryBytes: number, opts: InstantiateOptions = {}): Promise<(data: Uint8Array) => FuelledPolicy> {
  // Compiled off the main thread (JSC's compiler threads; ~10 ms for the built-in policies): a
  // start meanwhile opens and migrates the database and builds the app.
  const module = await WebAssembly.compile(exactBuffer(preparedWasm(wasm)));
  const projectInput = moduleInputProjection(module);
  const maximum = Math.max(2, Math.floor(maxMemoryBytes / PAGE));
  let host: BuiltinHost | undefined;
  const make = (): OpaInstance => instantiateOpa(module, new WebAssembly.Memory({ initial: Math.min(5, maximum), maximum }), () => host, opts.now);
  const probe = make();
  const acquire = opts.host ?? acquireBuiltinHost;
  // A host whose runtime died is replaced: evaluations meanwhile find no host and deny (fail
  // closed), and the policy works again once the new one is up, with no reload.
  const watch = (h: BuiltinHost) =>
    void h.closed?.then(() => {
      if (host !== h) return;
      host = undefined;
      void acquire().then(
        (next) => {
          host = next;
          watch(next);
        },
        () => undefined,
      );
    });
  if (probe.hostBuiltins.length > 0) {
    host = await acquire();
    watch(host);
  }
  let spare: OpaInstance | undefined = probe;
  return (data) => {
    let loaded: OpaInstance;
    try {
      loaded = spare ?? make();
      spare = undefined;
      loaded.setData(data);
    } catch (e) {
      const why = typeof e === 'string' ? e : e instanceof Error ? e.message : String(e);
      throw new Error(`policy could not be loaded with ${data.length} bytes of data in ${maxMemoryBytes} bytes of memory: ${why}`);
    }
    const fuel = loaded.wasmInstance.exports[FUEL_EXPORT];
    if (!(fuel instanceof WebAssembly.Global)) throw new Error('metered policy has no fuel global');
    /** The fuel parsing the kept members took, and which keeping that was measured for. */
    let keptCost = 0;
    let keptWith = -1;
    return {
      evaluate: (input, entrypoint, bigNumbers) => decodeResultSet(loaded.evaluate(input === undefined ? undefined : input instanceof Uint8Array ? input : new Uint8Array(input), entrypoint), bigNumbers),
      evaluateJson: (json, maxBytes, entrypoint) => loaded.evaluateJson(json, maxBytes, entrypoint),
      evaluateWithMembers(rest, members, maxBytes, entrypoint) {
        // What parsing the kept members cost (measured when they were parsed) is spent again at
        // every evaluation, as parsing them with the rest would: the fuel an evaluation spends
        // does not depend on what an earlier one left kept.
        const budget = fuel.value as number;
        fuel.value = FUEL_UNLIMITED;
        let bytes: number;
        try {
          bytes = loaded.keep(members, maxBytes);
          if (loaded.keptSince !== keptWith) keptCost = FUEL_UNLIMITED - (fuel.value as number);
          keptWith = loaded.keptSince;
        } finally {
          fuel.value = budget;
        }
        if (bytes > maxBytes) return { tooLarge: bytes };
        if (budget <= keptCost) {
          fuel.value = 0;
          throw new Error('out of fuel');
        }
        fuel.value = budget - keptCost;
        return loaded.evaluateWithKept(rest, maxBytes, entrypoint);
      },
      entrypoints: loaded.entrypoints,
      fuel,
      projectInput,
    };
  };
}
