import { beforeAll, describe, expect, test } from 'bun:test';
import { createLogger } from '../lib/logger.ts';
import { createRegoCompiler } from './compiler/index.ts';
import { createPolicyEngine, type PolicyEngine } from './engine.ts';
import type { PolicyInput } from './input-schema.ts';

const POLICY = `package gateway

decision := {"allowed": true, "reasons": ["mode allow"]} if input.mode == "allow"
decision := {"allowed": false, "reasons": ["mode deny"]} if input.mode == "deny"
decision := {"allowed": false, "http_status": 429, "message": "slow down"} if input.mode == "deny429"
decision := {"targets": [{"provider": "p", "model": "m"}]} if input.mode == "no_allowed"
decision := {"allowed": true, "extra": 1} if input.mode == "unknown_key"
decision := {"allowed": true} if input.mode == "conflict"
decision := {"allowed": false} if input.mode == "conflict"
decision := {"allowed": count(data.items) > 0} if input.mode == "data"

# A runaway comprehension: allocates until the memory cap stops it.
decision := {"allowed": count(big) > 0} if input.mode == "memory"
big := [x | some x in numbers.range(1, 1000000000)] if input.mode == "memory"

# A runaway loop that allocates nothing: only the fuel meter stops it.
decision := {"allowed": spin} if input.mode == "cpu"
default spin := false
spin if {
	some a in input.xs
	some b in input.xs
	some c in input.xs
	a == b
	b == c
	a == -1
}

# A loop whose body does work in OPA's runtime (comparing two long strings) without allocating.
decision := {"allowed": spin_cmp} if input.mode == "cmp"
default spin_cmp := false
spin_cmp if {
	some i in input.idx
	some j in input.idx
	input.a == input.b
	i == -j
	i == -1
}

# Deeply nested input: OPA's recursive JSON parser and walk() at depth.
decision := {"allowed": count([p | walk(input.deep, [p, _])]) > 0} if input.mode == "deep"
`;

let wasm: Uint8Array;
const logLines: string[] = [];
const logger = createLogger({ level: 'debug', write: (l) => logLines.push(l) });

beforeAll(async () => {
  const compiler = await createRegoCompiler();
  try {
    const r = await compiler.compile({ files: { 'gateway/test.rego': POLICY }, entrypoints: ['gateway/decision'] });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    wasm = r.wasm;
  } finally {
    await compiler.close();
  }
}, 60_000);

const asInput = (v: object): PolicyInput => v as unknown as PolicyInput;

async function engine(opts: Partial<Parameters<typeof createPolicyEngine>[0]> = {}): Promise<PolicyEngine> {
  return createPolicyEngine({ wasm, logger, data: { items: [1] }, ...opts });
}

describe('decisions', () => {
  test('an allow passes through with id, revision and timing', async () => {
    const e = await engine();
    const r = e.evaluate(asInput({ mode: 'allow' }));
    expect(r.decision).toEqual({ allowed: true, reasons: ['mode allow'] });
    expect(r.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.revision).toBe(new Bun.CryptoHasher('sha256').update(wasm).digest('hex'));
    expect(r.eval_us).toBeGreaterThanOrEqual(0);
    expect(r.failure).toBeUndefined();
  });

  test('an explicit deny is a 403 with a default message', async () => {
    const r = (await engine()).evaluate(asInput({ mode: 'deny' }));
    expect(r.decision).toEqual({ allowed: false, http_status: 403, message: 'The request was denied by the gateway policy.', reasons: ['mode deny'] });
    expect(r.failure).toBeUndefined();
  });

  test("a deny's own status and message are kept", async () => {
    const r = (await engine()).evaluate(asInput({ mode: 'deny429' }));
    expect(r.decision).toEqual({ allowed: false, http_status: 429, message: 'slow down' });
  });

  test('data is visible and can be replaced', async () => {
    const e = await engine();
    expect(e.evaluate(asInput({ mode: 'data' })).decision.allowed).toBe(true);
    e.setData({ items: [] });
    expect(e.evaluate(asInput({ mode: 'data' })).decision.allowed).toBe(false);
  });
});

describe('fails closed', () => {
  test.each([
    ['undefined', { mode: 'nothing' }, 'undefined'],
    ['missing allowed', { mode: 'no_allowed' }, 'invalid_decision'],
    ['an unknown key', { mode: 'unknown_key' }, 'invalid_decision'],
    ['conflicting rule values', { mode: 'conflict' }, 'evaluation_error'],
  ])('%s → 500 deny with a log line', async (_why, input, kind) => {
    logLines.length = 0;
    const r = (await engine()).evaluate(asInput(input));
    expect(r.decision.allowed).toBe(false);
    expect(r.decision.http_status).toBe(500);
    expect(r.decision.message).toContain(kind);
    expect(r.failure?.kind).toBe(kind as 'undefined');
    const line = JSON.parse(logLines.find((l) => l.includes('policy evaluation failed')) ?? '{}');
    expect(line).toMatchObject({ level: 'error', kind, decision_id: r.decision_id });
  });

  test('an input over the size limit', async () => {
    const e = await engine({ maxInputBytes: 1024 });
    // The limit applies to what the policy reads (it reads input.xs): 600 chars, 1200 bytes.
    const r = e.evaluate(asInput({ mode: 'allow', xs: ['é'.repeat(600)] }));
    expect(r.failure?.kind).toBe('input_too_large');
    expect(e.evaluate(asInput({ mode: 'allow' })).decision.allowed).toBe(true);
  });

  test('the size limit counts UTF-8 bytes, whatever the characters', async () => {
    const e = await engine({ maxInputBytes: 4096 });
    // 1,400 UTF-16 units each way; 4,200 bytes of 3-byte characters are over, 2,800 of 2-byte ones under.
    expect(e.evaluate(asInput({ mode: 'allow', xs: ['€'.repeat(1400)] })).failure).toMatchObject({ kind: 'input_too_large', detail: expect.stringContaining('is 4226 bytes') });
    expect(e.evaluate(asInput({ mode: 'allow', xs: ['é'.repeat(1400)] })).decision.allowed).toBe(true);
    // A lone surrogate is encoded as U+FFFD (3 bytes) by JSON.stringify's escape: still counted.
    expect(e.evaluate(asInput({ mode: 'allow', xs: ['\ud800'.repeat(3000)] })).failure?.kind).toBe('input_too_large');
  });

  test('a decision is shared by the requests that get it, and no consumer can change it', async () => {
    const e = await engine();
    const first = e.evaluate(asInput({ mode: 'allow' }));
    expect(() => (first.decision.reasons as string[]).push('changed')).toThrow(TypeError);
    expect(() => {
      (first.decision as { allowed: boolean }).allowed = false;
    }).toThrow(TypeError);
    const second = e.evaluate(asInput({ mode: 'allow' }));
    expect(second.decision).toEqual({ allowed: true, reasons: ['mode allow'] });
    expect(second.decision_id).not.toBe(first.decision_id);
    // A different answer is decoded for itself.
    expect(e.evaluate(asInput({ mode: 'deny429' })).decision).toMatchObject({ allowed: false, http_status: 429, message: 'slow down' });
    // Failures are not shared: each carries its own decision id in the message.
    const a = e.evaluate(asInput({ mode: 'unknown_key' }));
    const b = e.evaluate(asInput({ mode: 'unknown_key' }));
    expect(a.failure?.kind).toBe('invalid_decision');
    expect(b.decision.message).toContain(b.decision_id);
    expect(a.decision.message).not.toBe(b.decision.message);
  });

  test('an input that is not JSON', async () => {
    // The cycle is on a field the policy reads (input.xs); one it never reads is not serialised at all.
    const cyclic: Record<string, unknown> = { mode: 'allow' };
    cyclic.xs = [cyclic];
    expect((await engine()).evaluate(asInput(cyclic)).failure?.kind).toBe('input_unserializable');
  });

  test('a runaway comprehension hits the memory cap, and the next request is served', async () => {
    const e = await engine({ maxMemoryBytes: 32 * 1024 * 1024 });
    const started = performance.now();
    const r = e.evaluate(asInput({ mode: 'memory' }));
    expect(r.failure?.kind).toBe('out_of_memory');
    expect(r.decision).toMatchObject({ allowed: false, http_status: 500 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(e.evaluate(asInput({ mode: 'allow' })).decision.allowed).toBe(true);
  });

  test('a runaway loop that allocates nothing runs out of fuel, and the next request is served', async () => {
    const e = await engine({ fuel: 5_000_000 });
    const xs = Array.from({ length: 2000 }, (_, i) => i); // 8e9 iterations unmetered
    const started = performance.now();
    const r = e.evaluate(asInput({ mode: 'cpu', xs }));
    expect(r.failure?.kind).toBe('out_of_fuel');
    expect(performance.now() - started).toBeLessThan(2000);
    const next = e.evaluate(asInput({ mode: 'cpu', xs: [1, 2] }));
    expect(next.failure).toBeUndefined();
    expect(next.decision).toMatchObject({ allowed: false, http_status: 403 });
  });

  test('fuel counts the work inside OPA\'s runtime too: a loop comparing long strings runs out', async () => {
    // 360,000 iterations, each comparing two 25 KB strings: seconds of CPU if the string
    // comparison were not metered, ~60 ms before the budget is spent.
    const e = await engine();
    const a = 'x'.repeat(25_000);
    const started = performance.now();
    const r = e.evaluate(asInput({ mode: 'cmp', idx: Array.from({ length: 600 }, (_, i) => i), a, b: `${a}` }));
    expect(r.failure?.kind).toBe('out_of_fuel');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('deeply nested input is evaluated or denied, never crashes', async () => {
    const e = await engine();
    for (const depth of [100, 5_000, 200_000]) {
      let deep: unknown = 1;
      for (let i = 0; i < depth; i++) deep = [deep];
      const r = e.evaluate(asInput({ mode: 'deep', deep }));
      expect(typeof r.decision.allowed).toBe('boolean');
      if (depth === 100) expect(r.decision.allowed).toBe(true);
    }
    expect(e.evaluate(asInput({ mode: 'allow' })).decision.allowed).toBe(true);
  });
});

describe('load-time errors', () => {
  test('a missing entrypoint', async () => {
    await expect(engine({ entrypoint: 'gateway/nope' })).rejects.toThrow("no entrypoint 'gateway/nope'");
  });

  test('data that does not fit in the memory cap', async () => {
    await expect(engine({ maxMemoryBytes: 1024 * 1024, data: { items: 'x'.repeat(2 * 1024 * 1024) } })).rejects.toThrow('could not be loaded');
  });

  test('not a wasm module', async () => {
    await expect(engine({ wasm: new Uint8Array([1, 2, 3]) })).rejects.toThrow('not a WebAssembly');
  });
});
