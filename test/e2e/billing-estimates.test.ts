import { afterEach, expect, test } from 'bun:test';
import { countTokens } from '../../src/lib/tokenize.ts';
import { createKey } from '../../src/store/keys.ts';
import { budgetApp } from '../support/budget-app.ts';

// Finding 2: a request that reached the provider is billed at least its prompt, by tokenizer.
const YAML = `
providers: { up: { type: openai-compatible, base_url: "http://upstream.test/v1" } }
models: { m: { provider: up, model: up-model } }
routing: { retries: { max_retries: 0 } }
prices: { up-model: { input: 10, output: 10 } }
`;
const prompt = 'The quick brown fox jumps over the lazy dog near the riverbank. '.repeat(300);
const enc = new TextEncoder();

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** An upstream that sends a first chunk (role only, no content) and then nothing until it is cancelled. */
const hangingStream = (async (_url: string, init?: RequestInit) => {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`));
      init?.signal?.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}) as unknown as typeof fetch;

/** An upstream whose 200 JSON body breaks off halfway. */
const brokenJson = (async () => {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode('{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hel'));
      setTimeout(() => c.error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 5);
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
}) as unknown as typeof fetch;

test('a stream cancelled after its first chunk is billed its prompt by tokenizer, marked estimated, and booked against the budget', async () => {
  const t = await budgetApp(YAML, { transport: hangingStream });
  cleanup = t.close;
  const { key } = await createKey(t.store, { name: 'c', budget: { micros: 1_000_000, period: 'day' } });
  const r = await t.post('/v1/chat/completions', key, { model: 'm', stream: true, max_tokens: 100, messages: [{ role: 'user', content: prompt }] });
  expect(r.status).toBe(200);
  const reader = r.body!.getReader();
  await reader.read();
  await reader.cancel();
  const [row] = await t.rows(1);
  const expected = await countTokens(prompt);
  console.log(`cancelled stream: ${row!.usage.input_tokens} input tokens (tokenizer ${expected}), ${row!.cost_micros} µ$, ${row!.usage_source}`);
  expect(row!.outcome).toBe('interrupted');
  expect(row!.usage_source).toBe('estimated');
  expect(row!.usage.input_tokens).toBeGreaterThanOrEqual(expected);
  expect(row!.cost_micros).toBeGreaterThan(0);
  const { spent, reserved } = await t.spend('key');
  expect(spent).toBe(row!.cost_micros);
  expect(reserved).toBeGreaterThanOrEqual(0);
});

test('a 200 whose JSON body broke off is billed its prompt, marked estimated', async () => {
  const t = await budgetApp(YAML, { transport: brokenJson });
  cleanup = t.close;
  const { key } = await createKey(t.store, { name: 'j', budget: { micros: 1_000_000, period: 'day' } });
  const r = await t.post('/v1/chat/completions', key, { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: prompt }] });
  expect(r.status).toBe(502);
  const [row] = await t.rows(1);
  console.log(`broken JSON body: ${row!.usage.input_tokens} input tokens, ${row!.cost_micros} µ$, ${row!.usage_source}`);
  expect(row!.usage_source).toBe('estimated');
  expect(row!.usage.input_tokens).toBeGreaterThanOrEqual(await countTokens(prompt));
  expect((await t.spend('key')).spent).toBe(row!.cost_micros);
});
