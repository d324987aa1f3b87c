import { readFileSync } from 'node:fs';
import type { LoadedPolicy } from '../loader.ts';
import { rememberPrepared } from '../wasm-prepare.ts';

/** build/precompiled.json: what the build compiled; the module bytes are in build/precompiled.wasm.zst. */
export interface PrecompiledMeta {
  key: string;
  meta: Omit<LoadedPolicy, 'wasm'>;
  /** precompiled.wasm.zst holds the policy module (`wasmBytes`) followed by its prepared copy (wasm-prepare.ts). */
  wasmBytes: number;
}

/**
 * The built-in policies as compiled, tested and metered by the build (build/precompiled.json and
 * build/precompiled.wasm.zst, written by scripts/gen-precompiled-policies.ts and bundled into the
 * binary). Absent when running from source without a build: the policies are then compiled at
 * start-up as usual.
 */
export async function precompiledPolicies(): Promise<{ key: string; policy: LoadedPolicy } | undefined> {
  let m: PrecompiledMeta;
  let zst: string;
  try {
    m = ((await import('./build/precompiled.json')) as { default: PrecompiledMeta }).default;
    zst = (await import('./build/precompiled.wasm.zst', { with: { type: 'file' } })).default;
  } catch {
    return undefined;
  }
  // A Uint8Array, not the Buffer zstd returns: a Buffer's slice() is a view, not a copy.
  const bytes = new Uint8Array(Bun.zstdDecompressSync(readFileSync(zst)));
  const wasm = bytes.slice(0, m.wasmBytes);
  rememberPrepared(wasm, bytes.slice(m.wasmBytes));
  return { key: m.key, policy: { ...m.meta, wasm } };
}
