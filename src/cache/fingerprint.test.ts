import { expect, test } from 'bun:test';
import { prng } from '../../test/support/prng.ts';
import { canonicalJson } from './canonical-json.ts';
import { fingerprint, type FingerprintParts } from './fingerprint.ts';
import { LAST_TURN, splitLastTurn } from './last-turn.ts';

const parts = (body: Record<string, unknown>, o: Partial<FingerprintParts> = {}): FingerprintParts => ({ endpoint: 'chat.completions', provider: 'openai', model: 'gpt-4o', tenant: 'team:red', betas: [], body, ...o });

/** The same value with every object's keys in a random order. */
function shuffled(v: unknown, rand: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffled(x, rand));
  if (!v || typeof v !== 'object') return v;
  const entries = Object.entries(v).sort(() => rand() - 0.5);
  return Object.fromEntries(entries.map(([k, x]) => [k, shuffled(x, rand)]));
}

test('property: key order does not change the fingerprint', () => {
  const rand = prng(3);
  const body = { messages: [{ role: 'system', content: 's' }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }], temperature: 0.3, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } } } } }], response_format: { type: 'json_object' } };
  const want = fingerprint(parts(body));
  for (let i = 0; i < 50; i++) expect(fingerprint(parts(shuffled(body, rand) as Record<string, unknown>))).toBe(want);
});

test('delivery and attribution fields are not the answer; endpoint, target, tenant and betas are', () => {
  const body = { messages: [{ role: 'user', content: 'hi' }] };
  const base = fingerprint(parts(body));
  expect(fingerprint(parts({ ...body, stream: true, stream_options: { include_usage: true }, user: 'u1', metadata: { a: 'b' }, model: 'alias' }))).toBe(base);
  for (const o of [{ endpoint: 'messages' as const }, { provider: 'azure' }, { model: 'gpt-4o-mini' }, { tenant: 'team:blue' }, { tenant: 'global' }, { betas: ['x-2025'] }]) expect(fingerprint(parts(body, o))).not.toBe(base);
});

test('the fingerprint is the same in another process (no per-process salt or insertion-order luck)', async () => {
  const body = { b: 1, a: [{ y: 2, x: 'é' }], messages: [{ content: 'hi', role: 'user' }] };
  const code = `import { fingerprint } from './src/cache/fingerprint.ts'; console.log(fingerprint(${JSON.stringify(parts(body))}));`;
  const p = Bun.spawnSync(['bun', '-e', code], { cwd: `${import.meta.dir}/../..` });
  expect(p.stdout.toString().trim()).toBe(fingerprint(parts(shuffled(body, prng(9)) as Record<string, unknown>)));
});

test('canonical JSON: sorted keys, no whitespace, undefined members left out', () => {
  expect(canonicalJson({ b: [1, { d: undefined, c: 'x' }], a: null })).toBe('{"a":null,"b":[1,{"c":"x"}]}');
});

test('the last user turn splits off (string or text parts); a request ending otherwise has none', () => {
  const s = splitLastTurn('chat.completions', { messages: [{ role: 'system', content: 's' }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] });
  expect(s?.text).toBe('a\nb');
  expect((s?.rest.messages as { content: unknown }[])[1]!.content).toBe(LAST_TURN);
  expect(splitLastTurn('messages', { messages: [{ role: 'user', content: [{ type: 'image', source: {} }] }] })).toBeUndefined();
  expect(splitLastTurn('chat.completions', { messages: [{ role: 'tool', content: 'r' }] })).toBeUndefined();
  expect(splitLastTurn('responses', { input: 'q' })?.text).toBe('q');
  expect(splitLastTurn('responses', { input: [{ role: 'user', content: [{ type: 'input_text', text: 'q2' }] }] })?.text).toBe('q2');
});
