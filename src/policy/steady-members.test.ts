import { beforeAll, describe, expect, test } from 'bun:test';
import { createRegoCompiler } from './compiler/index.ts';
import { createPolicyEngine } from './engine.ts';
import type { PolicyInput } from './input-schema.ts';
import { instantiatePolicy } from './wasm-policy.ts';

// The engine keeps input members that repeat (providers, time, key) parsed in the policy's
// memory and parses only the rest: every answer must be the one the whole document gets.
const ECHO = `package gateway

decision := {"allowed": true, "reasons": [json.marshal(input)]}
`;
const SPIN = `package gateway

default spin := false
spin if {
	some a in input.providers.xs
	some b in input.providers.xs
	a == b
	a == -1
}
decision := {"allowed": spin}
`;
const COUNT = `package gateway

decision := {"allowed": is_string(input.providers)}
`;

let echo: Uint8Array;
let spin: Uint8Array;
let countPad: Uint8Array;
beforeAll(async () => {
  const compiler = await createRegoCompiler();
  try {
    for (const [src, set] of [[ECHO, (w: Uint8Array) => (echo = w)], [SPIN, (w: Uint8Array) => (spin = w)], [COUNT, (w: Uint8Array) => (countPad = w)]] as const) {
      const r = await compiler.compile({ files: { 'gateway/p.rego': src }, entrypoints: ['gateway/decision'] });
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      set(r.wasm);
    }
  } finally {
    await compiler.close();
  }
});

const seen = (reasons: string[] | undefined): unknown => JSON.parse(reasons?.[0] ?? 'null');
const asInput = (v: unknown) => v as PolicyInput;

describe('input members kept parsed between evaluations', () => {
  test('every evaluation sees exactly its own input, as members repeat, change and vanish', async () => {
    const engine = await createPolicyEngine({ wasm: echo });
    const providers = (n: number) => ({ openai: { healthy: n % 2 === 0, p50_ms: n, data_residency: 'public' } });
    const inputs: Record<string, unknown>[] = [];
    // Runs of repeats (kept after the second), alternations (never kept), changes inside a run.
    for (let i = 0; i < 40; i++) {
      const run = Math.floor(i / 4);
      const doc: Record<string, unknown> = { request: { model: `m${i}` }, usage: { n: i } };
      if (i % 9 !== 8) doc.providers = providers(run);
      if (i < 30) doc.time = { hour: run % 3, weekday: 'monday' };
      doc.key = i % 2 === 0 ? { name: 'a', team: 't' } : { name: i > 20 ? 'a' : 'b', team: 't' };
      inputs.push(doc);
    }
    inputs.push({ providers: providers(1), time: { hour: 1 }, key: { name: 'ü€' } }, { providers: providers(1), time: { hour: 1 }, key: { name: 'ü€' } }); // rest {}
    for (const doc of inputs) {
      const ev = engine.evaluate(asInput(doc));
      expect(ev.failure).toBeUndefined();
      expect(seen(ev.decision.reasons)).toEqual(doc);
    }
  });

  test('an own __proto__ member and a null-prototype document are kept as they are', async () => {
    const engine = await createPolicyEngine({ wasm: echo });
    const doc = JSON.parse('{"__proto__": {"x": 1}, "providers": {"p": 1}, "key": {"name": "k"}}') as Record<string, unknown>;
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { providers: { p: 1 }, key: { name: 'k' }, other: [1] });
    for (const d of [doc, doc, doc, bare, bare]) expect(seen(engine.evaluate(asInput(d)).decision.reasons)).toEqual(JSON.parse(JSON.stringify(d)));
  });

  test('the size limit counts the whole document, kept members included, in UTF-8 bytes', async () => {
    const max = 2048;
    const engine = await createPolicyEngine({ wasm: echo, maxInputBytes: max });
    // Within the limit in UTF-16 units but not in bytes, and over it in units too (the count is
    // still in bytes).
    for (const [restLen, keptLen] of [[0, 600], [300, 600], [0, 700], [900, 700], [0, 3000], [3000, 10]] as const) {
      const doc: Record<string, unknown> = { providers: { p: '€'.repeat(keptLen) }, key: { name: 'é' } };
      if (restLen) doc.request = { text: 'x'.repeat(restLen) };
      const bytes = new TextEncoder().encode(JSON.stringify(doc)).length;
      for (let i = 0; i < 3; i++) {
        const ev = engine.evaluate(asInput(doc));
        if (bytes > max) expect(ev.failure?.detail).toBe(`the input document is ${bytes} bytes; the limit is ${max}`);
        else expect(seen(ev.decision.reasons)).toEqual(doc);
      }
    }
  });

  test('a member over the limit is refused before it is parsed', async () => {
    const load = await instantiatePolicy(echo, 16 << 20);
    const policy = load(new TextEncoder().encode('{}'));
    const entry = policy.entrypoints['gateway/decision'] ?? 0;
    const member: [string, string] = ['providers', JSON.stringify({ s: '€'.repeat(30_000) })]; // 30 K units, 90 K bytes
    policy.fuel.value = 1;
    const out = policy.evaluateWithMembers('{}', [member], 65_536, entry);
    expect(typeof out === 'object' && out.tooLarge).toBeGreaterThan(65_536);
    expect(policy.fuel.value).toBe(1);
  });

  test('the same input runs out of fuel or not the same way every time, kept or not', async () => {
    const load = await instantiatePolicy(countPad, 64 << 20);
    const policy = load(new TextEncoder().encode('{}'));
    const entry = policy.entrypoints['gateway/decision'] ?? 0;
    // Parsing 3,000 numbers is most of this evaluation's fuel: once parsed anew, then kept.
    const doc = { providers: { pad: Array.from({ length: 3000 }, (_, i) => i) } };
    policy.fuel.value = 1e9;
    policy.evaluateJson(JSON.stringify(doc), 1 << 20, entry);
    const whole = 1e9 - (policy.fuel.value as number);
    expect(whole).toBeGreaterThan(3000);
    for (const [fuel, expected] of [[whole - 200, 'out_of_fuel'], [whole + 200, 'allowed=false']] as const) {
      const engine = await createPolicyEngine({ wasm: countPad, fuel });
      const outs = [1, 2, 3, 4].map(() => {
        const ev = engine.evaluate(asInput(doc));
        return ev.failure?.kind ?? `allowed=${ev.decision.allowed}`;
      });
      expect(outs).toEqual([expected, expected, expected, expected]);
    }
  });

  test('kept or parsed anew, an evaluation spends the same fuel and runs out the same', async () => {
    const load = await instantiatePolicy(spin, 16 << 20);
    const policy = load(new TextEncoder().encode('{}'));
    const entry = policy.entrypoints['gateway/decision'] ?? 0;
    const members = (n: number): [string, string][] => [['providers', JSON.stringify({ xs: Array.from({ length: n }, (_, i) => i) })]];
    const spent: number[] = [];
    for (const n of [50, 50, 50]) {
      policy.fuel.value = 1_000_000;
      expect(policy.evaluateWithMembers('{"request":{}}', members(n), 1 << 20, entry)).toContain('"allowed": false');
      spent.push(1_000_000 - (policy.fuel.value as number));
    }
    expect(spent[0]).toBeGreaterThan(2500);
    expect(new Set(spent).size).toBe(1);
    const engine = await createPolicyEngine({ wasm: spin, fuel: 100_000 });
    const big = asInput({ providers: { xs: Array.from({ length: 400 }, (_, i) => i) }, request: {} });
    expect([1, 2, 3].map(() => engine.evaluate(big).failure?.kind)).toEqual(['out_of_fuel', 'out_of_fuel', 'out_of_fuel']);
    const small = asInput({ providers: { xs: [1, 2, 3] }, request: {} });
    expect([1, 2, 3].map(() => engine.evaluate(small).decision.allowed)).toEqual([false, false, false]);
    expect(engine.evaluate(small).failure).toBeUndefined();
  });
});
