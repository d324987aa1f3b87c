import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilerId, createRegoCompiler } from '../../src/policy/compiler/index.ts';
import type { Json, RegoCompiler, RegoFiles } from '../../src/policy/compiler/types.ts';
import { parseDecision } from '../../src/policy/decision.ts';
import { createPolicyEngine, DEFAULT_ENTRYPOINT, type PolicyEngine } from '../../src/policy/engine.ts';
import { isTestFile, mergeData, readPolicyDir, type DataDocument } from '../../src/policy/policy-files.ts';
import { inputGenerator } from './input-fuzz.ts';

/**
 * The gateway evaluates the default policies with opa-wasm; OPA's own evaluator (topdown, via
 * the embedded compiler's evalBatch) is the reference. Every generated input is compared:
 * defined/undefined, the full result, or an error on both sides.
 *
 * The policy is compiled once: the compiler builds without optimisation, so data is never folded
 * into the wasm (the same module for every data set; the engine takes the data). OPA's
 * evaluator, run inside the compiler's wasm, costs ~3 ms of CPU an input (~7 s for the 2,300
 * here); its outcomes are a pure function of the compiler build, the policy files, the data and
 * the inputs, so they are kept in .tmp/test-cache/ under a sha-256 of all four, like `policy
 * test`'s replayed passes: a change to any of them evaluates the reference again. The gateway's
 * side (opa-wasm) is evaluated every run.
 */

const POLICY_DIR = join(import.meta.dir, '../../policies');

let compiler: RegoCompiler;
let files: RegoFiles;
let sampleData: DataDocument;
let policyWasm: Promise<Uint8Array> | undefined;
const CACHE_DIR = join(import.meta.dir, '../../.tmp/test-cache');

beforeAll(async () => {
  const read = readPolicyDir(POLICY_DIR);
  if (!read.ok) throw new Error(JSON.stringify(read.errors));
  files = Object.fromEntries(Object.entries(read.sources.files).filter(([p]) => !isTestFile(p)));
  // The samples (policies/examples/, shipped off) switched on, so the interesting branches run.
  const examples = mergeData(read.sources.dataFiles).data.examples;
  if (!examples || typeof examples !== 'object' || Array.isArray(examples)) throw new Error('policies/examples/ holds no sample data');
  sampleData = examples;
  compiler = await createRegoCompiler();
}, 60_000);

afterAll(() => compiler?.close());

type Outcome = { kind: 'defined'; result: unknown } | { kind: 'undefined' } | { kind: 'error'; detail: string };

/** The default policies' wasm, compiled once for the file. */
function compileOnce(): Promise<Uint8Array> {
  policyWasm ??= compiler.compile({ files, data: sampleData, entrypoints: [DEFAULT_ENTRYPOINT] }).then((c) => {
    if (!c.ok) throw new Error(JSON.stringify(c.errors));
    return c.wasm;
  });
  return policyWasm;
}

/** OPA's outcomes for `inputs`, evaluated or, for the same compiler, files, data and inputs, kept from an earlier run. */
async function reference(data: DataDocument, inputs: Json[]): Promise<Outcome[]> {
  const key = new Bun.CryptoHasher('sha256').update(JSON.stringify([await compilerId(), files, data, inputs])).digest('hex');
  const file = join(CACHE_DIR, `differential-${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Outcome[];
  const batch = await compiler.evalBatch({ files, data, query: 'data.gateway.decision', inputs });
  expect(batch.errors).toEqual([]);
  const topdown: Outcome[] = batch.results.map((o) =>
    o.error ? { kind: 'error', detail: o.error } : o.defined ? { kind: 'defined', result: o.result } : { kind: 'undefined' },
  );
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(`${file}.part`, JSON.stringify(topdown));
  renameSync(`${file}.part`, file);
  return topdown;
}

async function compareAll(data: DataDocument, inputs: Json[]): Promise<{ engine: PolicyEngine; wasm: Outcome[]; topdown: Outcome[] }> {
  const engine = await createPolicyEngine({ wasm: await compileOnce(), data });
  const wasm: Outcome[] = inputs.map((input) => {
    const r = engine.evaluateRaw(input);
    if (!r.ok) return { kind: 'error', detail: r.detail };
    return r.defined ? { kind: 'defined', result: r.result } : { kind: 'undefined' };
  });
  return { engine, wasm, topdown: await reference(data, inputs) };
}

function expectSame(inputs: Json[], wasm: Outcome[], topdown: Outcome[]): void {
  expect(wasm).toHaveLength(inputs.length);
  expect(topdown).toHaveLength(inputs.length);
  const mismatches: string[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const a = wasm[i];
    const b = topdown[i];
    const same = a?.kind === b?.kind && (a?.kind !== 'defined' || Bun.deepEquals(a.result, b?.kind === 'defined' ? b.result : undefined, true));
    if (!same) mismatches.push(`#${i} input=${JSON.stringify(inputs[i])}\n  wasm=${JSON.stringify(a)}\n  opa=${JSON.stringify(b)}`);
  }
  expect(mismatches.slice(0, 5).join('\n')).toBe('');
}

describe('opa-wasm agrees with OPA on the default policies', () => {
  const gen = inputGenerator(20250307);
  const inputs: Json[] = Array.from({ length: 1500 }, () => gen.one());
  // Both tests of the sample data read the same outcomes: compiled and evaluated once, by whichever runs first.
  let sample: ReturnType<typeof compareAll> | undefined;
  const sampleOutcomes = () => (sample ??= compareAll(sampleData, inputs));

  test('sample data: 1,500 generated inputs', async () => {
    const { wasm, topdown } = await sampleOutcomes();
    expectSame(inputs, wasm, topdown);
    // The generator reaches the interesting branches, not just the default allow.
    const decisions = wasm.flatMap((o) => (o.kind === 'defined' ? [o.result] : []));
    const has = (f: (d: Record<string, unknown>) => boolean) => decisions.filter((d) => typeof d === 'object' && d !== null && f(d as Record<string, unknown>)).length;
    expect(has((d) => d.allowed === false && d.http_status === 403)).toBeGreaterThan(20);
    expect(has((d) => d.http_status === 429)).toBeGreaterThan(5);
    expect(has((d) => Array.isArray(d.targets))).toBeGreaterThan(50);
    expect(has((d) => Array.isArray(d.redact))).toBeGreaterThan(20);
    expect(has((d) => typeof d.rate_limit === 'object')).toBeGreaterThan(50);
  }, 60_000);

  test('every decision the default policies make is well-formed', async () => {
    const { wasm } = await sampleOutcomes();
    const bad = wasm.flatMap((o, i) => {
      if (o.kind !== 'defined') return [`#${i}: ${o.kind}`];
      const p = parseDecision(o.result);
      return p.ok ? [] : [`#${i}: ${p.error} in ${JSON.stringify(o.result)}`];
    });
    expect(bad.slice(0, 5)).toEqual([]);
  }, 60_000);

  test.each(['private_only', 'redact'])('pii action %s: 400 generated inputs', async (action) => {
    const g = inputGenerator(action.length);
    const more: Json[] = Array.from({ length: 400 }, () => g.one());
    const data = { ...sampleData, pii: { types: ['email', 'phone', 'card', 'iban', 'national_id'], action } };
    const { wasm, topdown } = await compareAll(data, more);
    expectSame(more, wasm, topdown);
  }, 60_000);
});
