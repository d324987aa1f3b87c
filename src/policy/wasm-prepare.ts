import { indexedMemo } from './wasm-memo.ts';
import { meterWasm } from './wasm-fuel.ts';

/**
 * A policy module as the gateway runs it: OPA's rule memo replaced by an indexed one
 * (wasm-memo.ts), then fuel-metered (wasm-fuel.ts). Throws when the module cannot be metered.
 */
export const prepareWasm = (wasm: Uint8Array): Uint8Array => meterWasm(indexedMemo(wasm));

// Modules prepared ahead of time (the build prepares the built-in policies), by the bytes they were prepared from.
const ahead = new WeakMap<Uint8Array, Uint8Array>();

/** Records that `prepared` is `prepareWasm(wasm)`, so a start with the built-in policies does not prepare them again (~50 ms). */
export function rememberPrepared(wasm: Uint8Array, prepared: Uint8Array): void {
  ahead.set(wasm, prepared);
}

/** `prepareWasm(wasm)`, or the copy prepared ahead of time for these very bytes. */
export function preparedWasm(wasm: Uint8Array): Uint8Array {
  return ahead.get(wasm) ?? prepareWasm(wasm);
}
