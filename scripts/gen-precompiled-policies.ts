/**
 * Compiles and tests the built-in default policies once, at build time, and meters the module
 * (src/policy/wasm-fuel.ts), writing src/policy/embedded/build/precompiled.json (the key and
 * facts) and precompiled.wasm.zst (the module, then its metered copy; gitignored, embedded by the
 * bundler). A binary started with the built-in policies then never starts the Rego compiler
 * (saving ~1 s and ~200 MiB at start-up) nor meters the module (~50 ms).
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { compileKey } from '../src/policy/compile-cache.ts';
import { createRegoCompiler } from '../src/policy/compiler/index.ts';
import { embeddedPolicySources } from '../src/policy/embedded/index.ts';
import type { PrecompiledMeta } from '../src/policy/embedded/precompiled.ts';
import { DEFAULT_ENTRYPOINT } from '../src/policy/engine.ts';
import { compilePolicySources } from '../src/policy/loader.ts';
import { mergeData } from '../src/policy/policy-files.ts';
import { prepareWasm } from '../src/policy/wasm-prepare.ts';

const dir = resolve(import.meta.dir, '../src/policy/embedded/build');
const out = resolve(dir, 'precompiled.json');
const wasmOut = resolve(dir, 'precompiled.wasm.zst');

function current(key: string): { meta: PrecompiledMeta; wasm: Uint8Array } | undefined {
  try {
    const meta = JSON.parse(readFileSync(out, 'utf8')) as PrecompiledMeta;
    if (meta.key !== key || !existsSync(wasmOut)) return undefined;
    return { meta, wasm: Bun.zstdDecompressSync(readFileSync(wasmOut)).slice(0, meta.wasmBytes) };
  } catch {
    return undefined;
  }
}

async function compile(): Promise<{ meta: PrecompiledMeta['meta']; wasm: Uint8Array }> {
  const compiler = await createRegoCompiler();
  try {
    const r = await compilePolicySources(embeddedPolicySources(), { data: {}, compiler });
    if (!r.ok) throw new Error(`the default policies do not compile or pass their tests:\n${r.errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`).join('\n')}`);
    const { wasm, ...meta } = r.policy;
    return { meta, wasm };
  } finally {
    await compiler.close();
  }
}

export async function writePrecompiledPolicies(): Promise<void> {
  const sources = embeddedPolicySources();
  const key = await compileKey(sources, mergeData(sources.dataFiles, {}).data, DEFAULT_ENTRYPOINT);
  const kept = current(key);
  const { meta, wasm } = kept ? { meta: kept.meta.meta, wasm: kept.wasm } : await compile();
  // Prepared every time (it takes milliseconds): a change to the memo or the metering must reach the binary.
  const metered = prepareWasm(wasm);
  const bytes = new Uint8Array(wasm.length + metered.length);
  bytes.set(wasm);
  bytes.set(metered, wasm.length);
  const zst = Bun.zstdCompressSync(bytes, { level: 19 });
  const json = JSON.stringify({ key, meta, wasmBytes: wasm.length } satisfies PrecompiledMeta);
  const same = kept && readFileSync(out, 'utf8') === json && Buffer.from(Bun.zstdDecompressSync(readFileSync(wasmOut))).equals(bytes);
  if (same) return;
  await Bun.write(wasmOut, zst);
  await Bun.write(out, json);
  console.log(`wrote ${relative(process.cwd(), out)} and precompiled.wasm.zst (${wasm.byteLength} bytes of policy wasm, metered ${metered.byteLength}; ${zst.byteLength} compressed)`);
}

if (import.meta.main) await writePrecompiledPolicies();
