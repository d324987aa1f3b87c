import { afterAll, afterEach, describe, expect, test } from 'bun:test';
import { parseConfig } from '../../src/config/load.ts';
import { createKey } from '../../src/store/keys.ts';
import { startOpenAIUpstream } from '../mocks/openai-upstream.ts';
import { budgetApp, ledgerMicros } from '../support/budget-app.ts';
import { stubPolicy } from '../support/stub-policy.ts';

// Legacy completions go through the same admission, policy, budget holds and ledger as chat.
// Output at $10 per 1M tokens = 10 µ$ a token; input at $1 per 1M = 1 µ$ a token.
const up = startOpenAIUpstream();
afterAll(() => up.stop());
const YAML = `
providers:
  mock: { type: mock }
  vllm: { type: openai-compatible, base_url: ${up.url}/v1 }
models:
  long: { provider: mock, model: mock/long-1000 }
  instruct: { provider: vllm, model: llama-instruct }
  chatty: { provider: vllm, model: llama-chat-only, completions: chat }
  cut: { provider: vllm, model: llama-cut }
  strict: { provider: vllm, model: llama-strict, params: { refuse: [echo], drop: [suffix] } }
prices:
  mock/long-1000: { input: 1, output: 10 }
  llama-instruct: { input: 1, output: 10 }
  llama-chat-only: { input: 1, output: 10 }
  llama-cut: { input: 1, output: 10 }
`;
const dollars = (n: number) => Math.round(n * 1e6);
type Json = Record<string, unknown>;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setup(o: Parameters<typeof budgetApp>[1] = {}) {
  const t = await budgetApp(YAML, o);
  cleanup = t.close;
  return t;
}

describe('budgets hold the true worst case of a completions request', () => {
  test('n × max_tokens is held: n=4 × 300 over a $0.01 budget is refused unsent, n=2 × 300 is served and billed per choice', async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'n', budget: { micros: dollars(0.01), period: 'day' } });
    const refused = await t.post('/v1/completions', key, { model: 'long', prompt: 'hi', n: 4, max_tokens: 300 });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: Json }).error.type).toBeString();
    const ok = await t.post('/v1/completions', key, { model: 'long', prompt: 'hi', n: 2, max_tokens: 300 });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { object: string; choices: unknown[]; usage: { completion_tokens: number } };
    expect([body.object, body.choices.length, body.usage.completion_tokens]).toEqual(['text_completion', 2, 600]);
    const { spent } = await t.spend('key');
    expect(spent).toBe(ledgerMicros(t.records));
    expect(spent).toBeLessThanOrEqual(dollars(0.01));
  });

  test('without max_tokens the request is bounded by OpenAI default of 16, and the model stops there', async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'd', budget: { micros: dollars(1), period: 'day' } });
    const r = await t.post('/v1/completions', key, { model: 'long', prompt: 'hi', n: 3 });
    const body = (await r.json()) as { choices: { finish_reason: string }[]; usage: { completion_tokens: number } };
    expect(body.usage.completion_tokens).toBe(48);
    expect(body.choices.map((c) => c.finish_reason)).toEqual(['length', 'length', 'length']);
  });

  test('a native best_of is held for every completion it generates, and sent as asked', async () => {
    const t = await setup();
    // 3 prompts × best_of 5 × 200 tokens × 10 µ$ = 30,000 µ$ > $0.02; one prompt is 10,000 µ$.
    const { key } = await createKey(t.store, { name: 'b', budget: { micros: dollars(0.02), period: 'day' } });
    const before = up.requests.length;
    const refused = await t.post('/v1/completions', key, { model: 'instruct', prompt: ['a', 'b', 'c'], best_of: 5, max_tokens: 200 });
    expect(refused.status).toBe(429);
    expect(up.requests.length).toBe(before);
    const ok = await t.post('/v1/completions', key, { model: 'instruct', prompt: 'a', best_of: 5, max_tokens: 200 });
    expect(ok.status).toBe(200);
    expect(up.requests.at(-1)!.path).toBe('/v1/completions');
    expect(up.requests.at(-1)!.body).toMatchObject({ best_of: 5, prompt: 'a', model: 'llama-instruct' });
  });
});

describe('the ledger and the policy see endpoint "completions"', () => {
  test('usage rows of a plain and a streamed completion carry the endpoint, the provider and its usage', async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'l' });
    const plain = await t.post('/v1/completions', key, { model: 'instruct', prompt: 'Say hello' });
    expect(((await plain.json()) as { object: string }).object).toBe('text_completion');
    const streamed = await t.post('/v1/completions', key, { model: 'long', prompt: 'Say hello', max_tokens: 5, stream: true });
    const sse = await streamed.text();
    expect(sse).toContain('"object":"text_completion"');
    expect(sse.trim().endsWith('data: [DONE]')).toBe(true);
    const rows = await t.rows(2);
    expect(rows.map((r) => [r.endpoint, r.provider, r.status, r.usage_source])).toEqual([
      ['completions', 'vllm', 200, 'provider'],
      ['completions', 'mock', 200, 'provider'],
    ]);
    expect(rows[0]!.usage.output_tokens).toBe(4);
    expect(rows[1]!.usage.output_tokens).toBe(5);
    expect(rows.every((r) => r.cost_micros > 0)).toBe(true);
  });

  test('a native stream cut short ends with an error event and is billed for the text it delivered', async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'cut', budget: { micros: dollars(1), period: 'day' } });
    const r = await t.post('/v1/completions', key, { model: 'cut', prompt: 'Say hello', stream: true });
    const sse = await r.text();
    expect(sse).toContain('"text":"Hello"');
    expect(sse).toContain('"error"');
    expect(sse).not.toContain('[DONE]');
    const [row] = await t.rows(1);
    expect([row!.endpoint, row!.outcome, row!.usage_source]).toEqual(['completions', 'upstream_invalid', 'estimated']);
    expect(row!.usage.output_tokens).toBeGreaterThan(0);
    expect(row!.cost_micros).toBeGreaterThan(0);
    expect((await t.spend('key')).spent).toBe(row!.cost_micros);
  });

  test("the policy input says completions, with the prompt count and the default max_tokens, and the policy's cap applies", async () => {
    const { policy, inputs } = stubPolicy({ allowed: true, max_tokens: 7 });
    const t = await setup({ policy });
    const { key } = await createKey(t.store, { name: 'p' });
    const r = await t.post('/v1/completions', key, { model: 'long', prompt: 'my email is jane@example.com' });
    expect(r.headers.get('x-tollgate-max-tokens')).toBe('7');
    expect(((await r.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(7);
    expect(inputs[0]!.request).toMatchObject({ endpoint: 'completions', model: 'long', message_count: 1, max_tokens: 16, stream: false });
    expect(inputs[0]!.signals.pii_types).toContain('email');
  });

  test('a policy deny reaches the client in the OpenAI error schema', async () => {
    const { policy } = stubPolicy({ allowed: false, http_status: 403, message: 'no legacy completions here' });
    const t = await setup({ policy });
    const { key } = await createKey(t.store, { name: 'deny' });
    const r = await t.post('/v1/completions', key, { model: 'long', prompt: 'hi' });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: Json }).error.message).toContain('no legacy completions here');
  });
});

describe('completions: native | chat', () => {
  test('completions: chat on an OpenAI-compatible model sends it to /chat/completions, answered in the legacy shape', async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'c' });
    const r = await t.post('/v1/completions', key, { model: 'chatty', prompt: 'Say hello', echo: true });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: Json }).error.param).toBe('echo');
    const ok = await t.post('/v1/completions', key, { model: 'chatty', prompt: 'Say hello' });
    const body = (await ok.json()) as { object: string; choices: { text: string }[] };
    expect([body.object, body.choices[0]!.text]).toEqual(['text_completion', 'Hello from openai']);
    expect(up.requests.at(-1)!.path).toBe('/v1/chat/completions');
    expect(up.requests.at(-1)!.body).toMatchObject({ messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 16 });
  });

  test('completions: native on a provider without the endpoint is a config error naming the field', () => {
    const bad = `providers: { a: { type: anthropic, api_key: x } }\nmodels: { c: { provider: a, model: claude, completions: native } }\n`;
    expect(() => parseConfig(bad, 'bad.yaml', {})).toThrow(/models\.c\.completions[\s\S]*no \/v1\/completions endpoint|no \/v1\/completions endpoint[\s\S]*models\.c\.completions/);
    const typo = `providers: { m: { type: mock } }\nmodels: { c: { provider: m, model: mock/ok, completions: yes } }\n`;
    expect(() => parseConfig(typo, 'typo.yaml', {})).toThrow(/completions/);
  });

  test("a model's params override the rule on the native path too: refuse echo, drop suffix and say so", async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'r' });
    const refused = await t.post('/v1/completions', key, { model: 'strict', prompt: 'x', echo: true });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: Json }).error.param).toBe('echo');
    const ok = await t.post('/v1/completions', key, { model: 'strict', prompt: 'x', suffix: ' end' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-tollgate-dropped-params')).toBe('suffix');
    expect(up.requests.at(-1)!.body).not.toHaveProperty('suffix');
  });

  test('a body the schema refuses is a 400 naming the field', async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'v' });
    for (const [body, param] of [
      [{ model: 'long' }, 'prompt'],
      [{ model: 'long', prompt: 'x', max_tokens: -1 }, 'max_tokens'],
      [{ model: 'long', prompt: 'x', max_tokens: 0 }, 'max_tokens'],
      [{ model: 'long', prompt: [] }, 'prompt'],
      [{ model: 'long', prompt: 'x', logprobs: 9 }, 'logprobs'],
    ] as const) {
      const r = await t.post('/v1/completions', key, body);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: Json }).error.param).toBe(param);
    }
  });
});
