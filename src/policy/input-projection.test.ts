import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createRegoCompiler, type RegoCompiler } from './compiler/index.ts';
import { createPolicyEngine } from './engine.ts';
import { INPUT_PATHS_SECTION, moduleInputProjection, projectionOf } from './input-projection.ts';
import type { PolicyInput } from './input-schema.ts';

describe('projectionOf', () => {
  const project = projectionOf([['request', 'model'], ['request', 'tools'], ['key'], ['key', 'team'], ['usage', 'team', 'month_usd']]);

  test('keeps the listed subtrees and drops the rest', () => {
    const input = {
      request: { model: 'gpt-4o', tools: [{ name: 'a' }], headers: { 'user-agent': 'x' } },
      key: { name: 'k', team: 't', tags: ['a'] },
      usage: { team: { month_usd: 3, day_usd: 1 }, key: { day_usd: 2 } },
      time: { hour: 3 },
    };
    expect(project(input)).toEqual({
      request: { model: 'gpt-4o', tools: [{ name: 'a' }] },
      key: { name: 'k', team: 't', tags: ['a'] }, // `key` itself is read: kept whole, longer paths add nothing
      usage: { team: { month_usd: 3 } },
    });
  });

  test('absent keys stay absent, and arrays or scalars on a path are kept whole', () => {
    expect(project({ request: 'not an object', usage: { team: [1, 2] } })).toEqual({ request: 'not an object', usage: { team: [1, 2] } });
    expect(project({})).toEqual({});
    expect(project(null)).toBeNull();
  });

  test('a `__proto__` key is copied as data, never as a prototype', () => {
    const p = projectionOf([['__proto__', 'x']]);
    const input = JSON.parse('{"__proto__": {"x": 1, "y": 2}}');
    const out = p(input) as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":1}}');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

// Every way a policy can reach into `input`; each decision field depends on a different reference.
const POLICY = `package gateway

import input.imported as imp

decision := {
	"allowed": true,
	"tags": sort(tags),
	"reasons": [$"template {input.only_in_template.value}", msg],
	"max_tokens": count(input.request.messages),
} if not input.deny

msg := m if m := imp.message else := "none"

tags contains input.head_value
tags contains x if some x in input.list.items
tags contains "every" if every t in input.every_domain { t > 0 }
tags contains "with" if f with input.other as {"flag": true}
tags contains "nested" if input.providers[input.request.provider].healthy
tags contains "comprehension" if count([v | some v in input.comp.values; v > 1]) > 0

f if input.other.flag

decision := {"allowed": false, "reasons": [input.why]} if input.deny
`;

const WHOLE = `package gateway

decision := {"allowed": true, "tags": sort([k | some k, _ in input])}
`;

let compiler: RegoCompiler;
beforeAll(async () => {
  compiler = await createRegoCompiler();
}, 60_000);
afterAll(() => compiler.close());

async function compile(rego: string): Promise<Uint8Array> {
  const r = await compiler.compile({ files: { 'gateway/p.rego': rego }, entrypoints: ['gateway/decision'] });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.wasm;
}

/** The module without its input-paths section: the engine then serialises the whole input. */
function withoutSection(wasm: Uint8Array): Uint8Array {
  const out: number[] = [...wasm.subarray(0, 8)];
  let pos = 8;
  const u32 = () => {
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      const b = wasm[pos++] as number;
      n += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return n;
    }
  };
  while (pos < wasm.length) {
    const start = pos;
    const id = wasm[pos++] as number;
    const size = u32();
    const end = pos + size;
    const name = id === 0 ? new TextDecoder().decode(wasm.subarray(pos + 1, pos + 1 + (wasm[pos] as number))) : '';
    if (name !== INPUT_PATHS_SECTION) out.push(...wasm.subarray(start, end));
    pos = end;
  }
  return new Uint8Array(out);
}

describe('compiled policies read only what they reference', () => {
  const input = {
    imported: { message: 'from import', noise: 'x'.repeat(100) },
    only_in_template: { value: 7, noise: 1 },
    request: { messages: [1, 2, 3], provider: 'p1', headers: { a: 'b' } },
    head_value: 'head',
    list: { items: ['i1', 'i2'], other: 1 },
    every_domain: [1, 2],
    other: { flag: false },
    providers: { p1: { healthy: true }, p2: { healthy: false } },
    comp: { values: [1, 5] },
    unread: { big: 'y'.repeat(5000) },
  };

  test('the recorded paths cover imports, templates, heads, every, with, nested refs and comprehensions', async () => {
    const wasm = await compile(POLICY);
    const project = moduleInputProjection(new WebAssembly.Module(wasm.slice().buffer));
    expect(project).toBeDefined();
    const kept = project!(input) as Record<string, unknown>;
    expect(Object.keys(kept).sort()).toEqual(['comp', 'deny', 'every_domain', 'head_value', 'imported', 'list', 'only_in_template', 'other', 'providers', 'request'].filter((k) => k in input).sort());
    expect(kept).not.toHaveProperty('unread');
    expect((kept.list as Record<string, unknown>).other).toBeUndefined();
  });

  test('the decision is the same with the whole input and with the projection', async () => {
    const wasm = await compile(POLICY);
    const projected = await createPolicyEngine({ wasm });
    const whole = await createPolicyEngine({ wasm: withoutSection(wasm) });
    const variants = [input, { ...input, deny: true, why: 'asked' }, { ...input, other: { flag: true } }, { ...input, every_domain: [0] }, { ...input, request: { ...input.request, provider: 'p2' } }, {}];
    for (const v of variants) {
      expect(projected.evaluateRaw(v)).toEqual(whole.evaluateRaw(v));
    }
    expect(projected.evaluate(input as unknown as PolicyInput).decision).toEqual({
      allowed: true,
      tags: ['comprehension', 'every', 'head', 'i1', 'i2', 'nested', 'with'],
      reasons: ['template 7', 'from import'],
      max_tokens: 3,
    });
  });

  test('paths are told apart exactly: a key holding NUL is not the path of its parts', async () => {
    const wasm = await compile('package gateway\n\nx := input["a\\u0000b"]\n\ndecision := {"allowed": input.a.b == 1, "x": x}\n');
    const doc = { a: { b: 1, c: 2 }, 'a\u0000b': 3 };
    const e = await createPolicyEngine({ wasm });
    expect(e.evaluateRaw(doc)).toEqual({ ok: true, defined: true, result: { allowed: true, x: 3 } });
  });

  test('a policy that reads input by a variable key gets the whole document', async () => {
    const wasm = await compile(WHOLE);
    expect(moduleInputProjection(new WebAssembly.Module(wasm.slice().buffer))).toBeUndefined();
    const e = await createPolicyEngine({ wasm });
    expect(e.evaluate({ a: 1, b: 2 } as unknown as PolicyInput).decision).toEqual({ allowed: true, tags: ['a', 'b'] });
  });
});
