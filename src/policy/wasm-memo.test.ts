import { beforeAll, describe, expect, test } from 'bun:test';
import { createRegoCompiler } from './compiler/index.ts';
import { instantiateOpa } from './opa-abi.ts';
import { readSections, writeModule } from './wasm-code.ts';
import { meterWasm } from './wasm-fuel.ts';
import { indexedMemo } from './wasm-memo.ts';

// Rules that are memoized (f, g, m read many times) and `with`, nested, which pushes a new memo
// table and pops back to the outer one: g must be 3 again after `g with input.x as 100`.
const POLICY = `package gateway

f := input.x * 2
g := f + 1
m := g
m3 := v if v := m with input.x as 3
k := [g, m3, g]
k7 := v if v := k with input.x as 7
g100 := v if v := g with input.x as 100
pairs := [[g, v] | some i in numbers.range(1, 3000); v := g with input.x as i]
decision := {"allowed": true, "reasons": [json.marshal({"h": [g, g100, g], "k": k7, "n": count(pairs), "last": pairs[2999], "first": pairs[0]})]}
`;
const PLAIN = `package gateway

a := input.x + 1
b := a * a
decision := {"allowed": b > 3, "reasons": [json.marshal([a, b, a])]}
`;

const compiled: Record<string, Uint8Array> = {};
beforeAll(async () => {
  const compiler = await createRegoCompiler();
  try {
    for (const [name, src] of Object.entries({ POLICY, PLAIN })) {
      const r = await compiler.compile({ files: { 'gateway/p.rego': src }, entrypoints: ['gateway/decision'] });
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      compiled[name] = r.wasm;
    }
  } finally {
    await compiler.close();
  }
});

function run(wasm: Uint8Array, input: unknown): { text: string; memory: number } {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 512 });
  const opa = instantiateOpa(new WebAssembly.Module(meterWasm(wasm) as Uint8Array<ArrayBuffer>), memory, () => undefined);
  opa.setData(new TextEncoder().encode('{}'));
  const entry = opa.entrypoints['gateway/decision'] ?? 0;
  let text = '';
  for (let i = 0; i < 3; i++) text = opa.evaluateJson(JSON.stringify(input), 1 << 20, entry) as string;
  return { text, memory: memory.buffer.byteLength };
}

describe('the indexed rule memo', () => {
  test('gives the answers of OPA\'s own memo, with `with` nested and in a loop', () => {
    const wasm = compiled.POLICY!;
    const indexed = indexedMemo(wasm);
    expect(indexed).not.toBe(wasm);
    const ours = run(indexed, { x: 1 });
    const opas = run(wasm, { x: 1 });
    expect(ours.text).toBe(opas.text);
    const reasons = JSON.parse(/"reasons": \[(".*")\]/.exec(ours.text)?.[1] ?? '""') as string;
    expect(JSON.parse(reasons)).toEqual({ h: [3, 201, 3], k: [15, 7, 15], n: 3000, first: [3, 3], last: [3, 6001] });
    // 3,000 `with` tables, each reused once popped: no more memory than OPA's runtime takes.
    expect(ours.memory).toBeLessThanOrEqual(opas.memory);
  });

  test('a policy without `with` (no push or pop linked in) is rewritten and answers the same', () => {
    const wasm = compiled.PLAIN!;
    expect(new TextDecoder().decode(wasm).includes('opa_memoize_push')).toBe(false);
    const indexed = indexedMemo(wasm);
    expect(indexed).not.toBe(wasm);
    for (const x of [0, 1, 5, -3]) expect(run(indexed, { x }).text).toBe(run(wasm, { x }).text);
    expect(run(indexed, { x: 5 }).text).toContain('"reasons": ["[6,36,6]"]');
  });

  test('a module whose memo functions it cannot find is left as it is', () => {
    // Without the name section the functions cannot be told apart.
    const unnamed = writeModule(readSections(compiled.PLAIN!).filter((s) => !(s.id === 0 && new TextDecoder().decode(s.payload.subarray(1, 5)) === 'name')));
    expect(unnamed.length).toBeLessThan(compiled.PLAIN!.length);
    expect(indexedMemo(unnamed)).toBe(unnamed);
    expect(run(unnamed, { x: 5 }).text).toBe(run(compiled.PLAIN!, { x: 5 }).text);
  });
});
