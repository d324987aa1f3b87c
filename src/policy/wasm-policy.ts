import { FUEL_EXPORT, meteredWasm } from './wasm-fuel.ts';

/** One instance of a policy module, as the engine uses it. */
export interface FuelledPolicy {
  evaluate(input: ArrayBuffer, entrypoint: number): unknown;
  entrypoints: Record<string, number>;
  /** Loop iterations left; the engine refills it before each evaluation. */
  fuel: WebAssembly.Global;
}

/** The parts of opa-wasm's LoadedPolicy used here (its published types have `any`s and no default export). */
interface LoadedPolicyLike {
  evaluate(input: ArrayBuffer, entrypoint: number): unknown;
  setData(data: ArrayBuffer): void;
  entrypoints: Record<string, number>;
  wasmInstance: WebAssembly.Instance;
}
type LoadPolicySync = (wasm: WebAssembly.Module, memory: WebAssembly.MemoryDescriptor) => LoadedPolicyLike;

function isLoadPolicySync(v: unknown): v is LoadPolicySync {
  return typeof v === 'function';
}

async function opaLoadPolicySync(): Promise<LoadPolicySync> {
  const mod: unknown = await import('@open-policy-agent/opa-wasm');
  const opa: unknown = mod && typeof mod === 'object' && 'default' in mod ? mod.default : undefined;
  const fn: unknown = opa && typeof opa === 'object' && 'loadPolicySync' in opa ? opa.loadPolicySync : undefined;
  if (!isLoadPolicySync(fn)) throw new Error('@open-policy-agent/opa-wasm has no loadPolicySync; the package changed');
  return fn;
}

const PAGE = 64 * 1024;

const exactBuffer = (b: Uint8Array): ArrayBuffer => (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b.buffer : b.slice().buffer);

/**
 * Meters and compiles `wasm` once, and returns a synchronous factory of fresh instances with
 * `data` loaded. Each instance gets its own memory capped at `maxMemoryBytes`: a runaway
 * evaluation fails its allocation (opa_malloc aborts) instead of growing the process.
 */
export async function instantiatePolicy(wasm: Uint8Array, maxMemoryBytes: number): Promise<(data: Uint8Array) => FuelledPolicy> {
  const module = new WebAssembly.Module(exactBuffer(meteredWasm(wasm)));
  const loadPolicySync = await opaLoadPolicySync();
  const maximum = Math.max(2, Math.floor(maxMemoryBytes / PAGE));
  return (data) => {
    let loaded: LoadedPolicyLike;
    try {
      loaded = loadPolicySync(module, { initial: Math.min(5, maximum), maximum });
      loaded.setData(exactBuffer(data));
    } catch (e) {
      const why = typeof e === 'string' ? e : e instanceof Error ? e.message : String(e);
      throw new Error(`policy could not be loaded with ${data.length} bytes of data in ${maxMemoryBytes} bytes of memory: ${why}`);
    }
    const fuel = loaded.wasmInstance.exports[FUEL_EXPORT];
    if (!(fuel instanceof WebAssembly.Global)) throw new Error('metered policy has no fuel global');
    return { evaluate: (input, entrypoint) => loaded.evaluate(input, entrypoint), entrypoints: loaded.entrypoints, fuel };
  };
}
