// A streamed answer is stored as the answer a JSON call would have given, or not at all: a
// streamed refusal stays a refusal (never cached), a stream with logprobs is not stored (the
// rebuild does not keep them), and a stream whose client did not ask for usage is stored with
// the upstream's usage. Found by review: a streamed refusal used to be replayed to JSON callers
// as an empty successful answer.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gateway } from '../../src/server/start.ts';
import { startTestGateway } from '../helpers/gateway.ts';

const KEY = 'tg-stream-cache-key-0000';
const hash = (k: string) => createHash('sha256').update(k).digest('hex');
let calls = 0;

const up = Bun.serve({
  port: 0,
  async fetch(req) {
    calls++;
    const body = (await req.json()) as { model: string; stream?: boolean; messages: { content: string }[] };
    const ask = body.messages.at(-1)!.content;
    if (!body.stream) {
      const message = ask.startsWith('refuse') ? { role: 'assistant', content: null, refusal: "I can't help with that." } : { role: 'assistant', content: ask.startsWith('logprobs') ? 'Hi' : 'Paris.' };
      return Response.json({ id: `chatcmpl-${calls}`, object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } });
    }
    const chunk = (choices: unknown, extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ id: `chatcmpl-${calls}`, object: 'chat.completion.chunk', created: 1, model: body.model, choices, ...extra })}\n\n`;
    const usage = chunk([], { usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } });
    let sse: string;
    if (ask.startsWith('refuse')) {
      sse = chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, finish_reason: null }]) + chunk([{ index: 0, delta: { refusal: "I can't help with that." }, finish_reason: null }]) + chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    } else if (ask.startsWith('logprobs')) {
      sse = chunk([{ index: 0, delta: { role: 'assistant', content: 'Hi' }, logprobs: { content: [{ token: 'Hi', logprob: -0.1, bytes: [72, 105], top_logprobs: [] }] }, finish_reason: null }]) + chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    } else {
      sse = chunk([{ index: 0, delta: { role: 'assistant', content: 'Paris.' }, finish_reason: null }]) + chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    }
    return new Response(sse + usage + 'data: [DONE]\n\n', { headers: { 'content-type': 'text/event-stream' } });
  },
});

let gw: Gateway;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-cache-stream-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'decision.rego'), 'package gateway\n\ndecision := {"allowed": true, "cache": {"mode": "read_write"}}\n');
  gw = await startTestGateway({
    server: { host: '127.0.0.1', port: 0 },
    database: { url: `file:${join(dir, 'db.sqlite')}` },
    ledger: { flush_ms: 20 },
    routing: { retries: { max_retries: 0, budget_ms: 0 } },
    policy: { dir: join(dir, 'policies'), watch: false },
    keys: [{ name: 'k', hash: hash(KEY), team: 't' }],
    providers: { up: { type: 'openai', base_url: `http://127.0.0.1:${up.port}/v1`, api_key: 'x' } },
    models: { m: { provider: 'up', model: 'gpt-x' } },
  });
});
afterAll(async () => {
  await gw?.stop();
  up.stop(true);
});

const post = (body: Record<string, unknown>) =>
  fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ model: 'm', ...body }) });

/** The stored entry is written after the stream ends: wait until a JSON call of the same request says what the cache did. */
async function afterStream(body: Record<string, unknown>) {
  const streamed = await post({ ...body, stream: true });
  expect(streamed.headers.get('x-tollgate-cache')).toBe('miss');
  const text = await streamed.text();
  await Bun.sleep(200);
  const before = calls;
  const json = await post(body);
  return { text, json, state: json.headers.get('x-tollgate-cache'), value: (await json.json()) as { choices: { message: Record<string, unknown> }[]; usage?: Record<string, number> }, upstreamCalls: calls - before };
}

test('a streamed refusal is not stored: the JSON caller gets the refusal from the upstream, not an empty success', async () => {
  const r = await afterStream({ messages: [{ role: 'user', content: 'refuse this' }] });
  expect(r.text).toContain("can't help");
  expect(r.state).toBe('miss');
  expect(r.upstreamCalls).toBe(1);
  expect(r.value.choices[0]!.message.refusal).toBe("I can't help with that.");
});

test('a stream that carried logprobs is not stored', async () => {
  const r = await afterStream({ messages: [{ role: 'user', content: 'logprobs please' }], logprobs: true });
  expect(r.state).toBe('miss');
  expect(r.upstreamCalls).toBe(1);
});

test("a stream whose client did not ask for usage is stored with the upstream's usage", async () => {
  const r = await afterStream({ messages: [{ role: 'user', content: 'capital of France?' }] });
  expect(r.state).toBe('hit');
  expect(r.upstreamCalls).toBe(0);
  expect(r.value.choices[0]!.message.content).toBe('Paris.');
  expect(r.value.usage).toEqual({ prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 });
});
