import { silentLogger, type Logger } from '../lib/logger.ts';
import { readBundle } from './bundle.ts';
import { createRegoCompiler } from './compiler/index.ts';
import type { RegoCompiler, RegoFiles, RegoProblem, RegoTestResult } from './compiler/types.ts';
import { compileKey, type CompileCache } from './compile-cache.ts';
import { DEFAULT_ENTRYPOINT } from './engine.ts';
import { gatewaySchemas } from './schemas.ts';
import { isTestFile, mergeData, mergeSources, onDisk, readPolicyDir, testOnDisk, type DataDocument, type PolicySources } from './policy-files.ts';

/** A policy ready for the engine: compiled, tested, with its data. */
export interface LoadedPolicy {
  wasm: Uint8Array;
  data: DataDocument;
  /** Names this policy and data (sha256 of both, 16 hex digits) or the bundle manifest's revision. */
  revision: string;
  tests: { passed: number; total: number };
}

/** `cached`: served from a compile cache, compiled and tested by an earlier run. */
export type LoadResult = { ok: true; policy: LoadedPolicy; cached?: boolean } | { ok: false; errors: RegoProblem[] };

export interface LoadPoliciesOptions {
  dir: string;
  /** Config `policy.data`; overrides the directory's data files. */
  data?: Record<string, unknown>;
  logger?: Logger;
  entrypoint?: string;
  /** A compiler to use (and leave open); by default one is created and closed for this call. */
  compiler?: RegoCompiler;
  /** Compiled policies by content; a hit needs no compiler. */
  cache?: CompileCache;
}

/** `file:line:col: message`, as compilers print problems. */
export function formatProblem(p: RegoProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  return where ? `${where}: ${p.message}` : p.message;
}

function revisionOf(wasm: Uint8Array, data: DataDocument): string {
  return new Bun.CryptoHasher('sha256').update(wasm).update(JSON.stringify(data)).digest('hex').slice(0, 16);
}

/** A failed or erroring test as a located problem. */
export function testProblem(t: RegoTestResult): RegoProblem {
  const loc = t.location ?? { file: '', line: 0, col: 0 };
  const why = t.fail_reason ? `: ${t.fail_reason}` : '';
  return { file: loc.file, line: loc.line, col: loc.col, message: `test data.${t.package}.${t.name} failed${why}` };
}

/**
 * The policy with config `policy.data` over its own: the compiled module and test results do not
 * depend on it (the tests run with the directory's own data files, as `policy test` runs them),
 * only the data the engine is given and the revision that names both.
 */
export function withData(policy: LoadedPolicy, data: DataDocument): LoadedPolicy {
  return { ...policy, data, revision: revisionOf(policy.wasm, data) };
}

/**
 * Compiles the policy to wasm and runs its `*_test.rego` with OPA's tester, in a compiler
 * created for this call and closed after it (one instance holds ~200 MiB). A policy that does
 * not compile or fails a test is refused. Compiled and tested with the directory's own data
 * files, and cached by those; config `data` is laid over the result (see withData), so a
 * policy.data edit needs no compiler.
 */
export async function compilePolicySources(
  sources: PolicySources,
  opts: { data?: Record<string, unknown>; entrypoint?: string; compiler?: RegoCompiler; cache?: CompileCache } = {},
): Promise<LoadResult> {
  const { cache, data, ...rest } = opts;
  const own = mergeSources(sources);
  const merged = mergeSources(sources, data);
  if (merged.errors.length > 0) return { ok: false, errors: merged.errors.map((p) => onDisk(sources, p)) };
  const key = cache ? await compileKey(sources, own.data, opts.entrypoint ?? DEFAULT_ENTRYPOINT) : undefined;
  const hit = key ? cache?.get(key) : undefined;
  if (hit) return { ok: true, policy: withData(hit, merged.data), cached: true };
  const r = await compileAndTest(sources, rest);
  if (r.ok && key) cache?.put(key, r.policy);
  return r.ok ? { ok: true, policy: withData(r.policy, merged.data) } : { ok: false, errors: r.errors.map((p) => onDisk(sources, p)) };
}

/** Compiles and tests with the directory's own data files. */
async function compileAndTest(sources: PolicySources, opts: { entrypoint?: string; compiler?: RegoCompiler }): Promise<LoadResult> {
  const merged = mergeSources(sources);
  if (merged.errors.length > 0) return { ok: false, errors: merged.errors };
  const data = merged.data;
  const policyFiles: RegoFiles = {};
  for (const [path, text] of Object.entries(sources.files)) if (!isTestFile(path)) policyFiles[path] = text;

  const entrypoint = opts.entrypoint ?? DEFAULT_ENTRYPOINT;
  const schemas = gatewaySchemas(entrypoint);
  const compiler = opts.compiler ?? (await createRegoCompiler());
  try {
    // The schema checks run once, in the test run, which compiles every module (policies and
    // tests) with them; checking the compile too would type-check the policies twice.
    const compiled = await compiler.compile({ files: policyFiles, data, entrypoints: [entrypoint] });
    if (!compiled.ok) return { ok: false, errors: compiled.errors };
    const tests = await compiler.test({ files: sources.files, data, schemas });
    const failed = tests.results.filter((t) => !t.pass && !t.skip);
    if (tests.errors.length > 0 || failed.length > 0) return { ok: false, errors: [...tests.errors, ...failed.map((t) => testProblem(testOnDisk(sources, t)))] };
    const passed = tests.results.filter((t) => t.pass).length;
    return { ok: true, policy: { wasm: compiled.wasm, data: merged.data, revision: revisionOf(compiled.wasm, merged.data), tests: { passed, total: tests.results.length } } };
  } finally {
    if (!opts.compiler) await compiler.close();
  }
}

/** Reads, compiles and tests the policies in `dir`. */
export async function loadPolicies(opts: LoadPoliciesOptions): Promise<LoadResult> {
  const { dir, data, logger = silentLogger, entrypoint, compiler, cache } = opts;
  const started = performance.now();
  const read = readPolicyDir(dir);
  if (!read.ok) return read;
  const r = await compilePolicySources(read.sources, { data, entrypoint, compiler, cache });
  if (r.ok && !r.cached) {
    const ms = Math.round(performance.now() - started);
    logger.info('policy compiled', { dir, revision: r.policy.revision, tests: `${r.policy.tests.passed}/${r.policy.tests.total}`, ms });
  }
  return r;
}

/** Reads an `opa build -t wasm` bundle; config data overrides the bundle's data.json. */
export function loadBundle(opts: { bundle: string; data?: Record<string, unknown> }): LoadResult {
  const r = readBundle(opts.bundle);
  if (!r.ok) return r;
  const merged = mergeData({ 'data.json': r.bundle.data }, opts.data);
  if (merged.errors.length > 0) return { ok: false, errors: merged.errors };
  const revision = r.bundle.revision ?? revisionOf(r.bundle.wasm, merged.data);
  return { ok: true, policy: { wasm: r.bundle.wasm, data: merged.data, revision, tests: { passed: 0, total: 0 } } };
}
