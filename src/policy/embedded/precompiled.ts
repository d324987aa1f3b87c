import type { LoadedPolicy } from '../loader.ts';

/**
 * The built-in policies as compiled and tested by the build (build/precompiled.json, written by
 * scripts/gen-precompiled-policies.ts and bundled into the binary). Absent when running from
 * source without a build: the policies are then compiled at start-up as usual.
 */
export async function precompiledPolicies(): Promise<{ key: string; policy: LoadedPolicy } | undefined> {
  try {
    const m = (await import('./build/precompiled.json')) as { default: { key: string; meta: Omit<LoadedPolicy, 'wasm'>; wasmBase64: string } };
    const { key, meta, wasmBase64 } = m.default;
    return { key, policy: { ...meta, wasm: new Uint8Array(Buffer.from(wasmBase64, 'base64')) } };
  } catch {
    return undefined;
  }
}
