import { describe, expect, test } from 'bun:test';
import { createApp } from './app.ts';
import { parseConfig } from '../config/load.ts';
import { buildRuntime, runtimeHolder } from '../config/runtime.ts';
import { silentLogger } from '../lib/logger.ts';
import { sha256Hex } from '../lib/hash.ts';
import type { UsageRecord } from '../store/usage-record.ts';

const KEY = 'tg-test-client-key-123456';

function makeApp(extra = '', transport?: typeof fetch) {
  const yaml = `
server: { max_body_bytes: 2048 }
providers:
  mock: { type: mock }
  garbage: { type: openai-compatible, base_url: http://upstream.test/v1 }
models:
  chat: { provider: mock, model: mock/ok }
  emb: { provider: mock, model: mock/embedding, kind: embeddings }
  broken: { provider: garbage, model: whatever }
  fails: { provider: mock, model: mock/error-503 }
keys:
  - { name: ci, hash: "sha256:${sha256Hex(KEY)}", team: ml }
${extra}`;
  const records: UsageRecord[] = [];
  const rt = buildRuntime(parseConfig(yaml, 'test.yaml', {}).config, transport);
  const app = createApp({ runtime: runtimeHolder(rt), logger: silentLogger, onUsage: (r) => records.push(r) });
  return { app, records };
}

const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const post = (app: ReturnType<typeof makeApp>['app'], path: string, body: string, headers: Record<string, string> = auth) =>
  app.request(path, { method: 'POST', headers, body });

describe('bad input gets the caller\'s error schema, never a 500', () => {
  test('malformed JSON → 400 OpenAI error', async () => {
    const { app } = makeApp();
    const r = await post(app, '/v1/chat/completions', '{"model": ');
    expect(r.status).toBe(400);
    const j = (await r.json()) as { error: { type: string; message: string } };
    expect(j.error.type).toBe('invalid_request_error');
    expect(j.error.message).toContain('not valid JSON');
  });

  test('a wrong type names the field', async () => {
    const { app } = makeApp();
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 42 }] }));
    expect(r.status).toBe(400);
    const j = (await r.json()) as { error: { param: string } };
    expect(j.error.param).toBe('messages[0].content');
  });

  test('a missing field names the field', async () => {
    const { app } = makeApp();
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'chat' }));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { param: string } }).error.param).toBe('messages');
  });

  test('temperature out of range is rejected, not clamped', async () => {
    const { app } = makeApp();
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'chat', temperature: 3, messages: [{ role: 'user', content: 'x' }] }));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { param: string } }).error.param).toBe('temperature');
  });

  test('an unknown model → 404 model_not_found', async () => {
    const { app } = makeApp();
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }));
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
  });

  test('a body over the limit → 413', async () => {
    const { app } = makeApp();
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }));
    expect(r.status).toBe(413);
  });

  test('the Anthropic endpoint answers in the Anthropic error schema', async () => {
    const { app } = makeApp();
    const r = await post(app, '/v1/messages', JSON.stringify({ model: 'chat', messages: [] }), { 'x-api-key': KEY, 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    const j = (await r.json()) as { type: string; error: { type: string; message: string } };
    expect(j.type).toBe('error');
    expect(j.error.type).toBe('invalid_request_error');
    expect(j.error.message).toContain('max_tokens');
  });

  test('an upstream that answers garbage → 502 with a clear message', async () => {
    const transport = (async () => new Response('<html>oops</html>', { status: 200 })) as unknown as typeof fetch;
    const { app, records } = makeApp('', transport);
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'broken', messages: [{ role: 'user', content: 'x' }] }));
    expect(r.status).toBe(502);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('not JSON');
    // The provider answered 200, so it may bill the prompt: the row is estimated by tokenizer (a turn later).
    for (let i = 0; i < 100 && !records.length; i++) await Bun.sleep(5);
    expect(records[0]!.outcome).toBe('upstream_invalid');
    expect(records[0]!.usage_source).toBe('estimated');
  });

  test('an upstream JSON of the wrong shape → 502', async () => {
    const transport = (async () => Response.json({ hello: 'world' })) as unknown as typeof fetch;
    const { app } = makeApp('', transport);
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'broken', messages: [{ role: 'user', content: 'x' }] }));
    expect(r.status).toBe(502);
  });

  test('an unreachable upstream → 502, never a 500', async () => {
    const transport = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const { app } = makeApp('', transport);
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'broken', messages: [{ role: 'user', content: 'x' }] }));
    expect(r.status).toBe(502);
  });

  test('a chat model on /v1/embeddings → 400 naming model', async () => {
    const { app } = makeApp();
    const r = await post(app, '/v1/embeddings', JSON.stringify({ model: 'chat', input: 'x' }));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { param: string } }).error.param).toBe('model');
  });

  test('an unknown path → 404 in OpenAI schema', async () => {
    const { app } = makeApp();
    const r = await app.request('/v1/nothing', { headers: auth });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
  });
});

describe('client keys', () => {
  test('a missing key → 401', async () => {
    const { app } = makeApp();
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), { 'content-type': 'application/json' });
    expect(r.status).toBe(401);
  });

  test('a wrong key → 401 that never echoes the key', async () => {
    const { app } = makeApp();
    const bad = 'tg-wrong-key-abcdefghijkl';
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), { authorization: `Bearer ${bad}`, 'content-type': 'application/json' });
    expect(r.status).toBe(401);
    expect(await r.text()).not.toContain(bad);
  });

  test('a good key is accepted and its name and team reach the usage record, not the key', async () => {
    const { app, records } = makeApp();
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }));
    expect(r.status).toBe(200);
    expect(records[0]!.key_name).toBe('ci');
    expect(records[0]!.team).toBe('ml');
    expect(JSON.stringify(records)).not.toContain(KEY);
    expect(records[0]!.key_hash).toBe(sha256Hex(KEY));
  });
});

describe('cost', () => {
  test('each usage record is priced to the micro-dollar from the price book', async () => {
    const { app, records } = makeApp('prices:\n  mock/ok: { input: 1.5, output: 2.25 }\n');
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'price me please' }] }));
    const body = (await r.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const { prompt_tokens: i, completion_tokens: o } = body.usage;
    expect(records[0]!.cost_micros).toBe(Math.round(i * 1.5 + o * 2.25));
    expect(records[0]!.usage_source).toBe('provider');
    expect(records[0]!.price_version).toMatch(/^pl_[0-9a-f]{16}$/);
  });
});

describe('responses', () => {
  test('x-tollgate headers name the serving target', async () => {
    const { app } = makeApp();
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }));
    expect(r.headers.get('x-tollgate-served-by')).toBe('mock/mock/ok');
    expect(r.headers.get('x-tollgate-attempts')).toBe('1');
  });

  test('GET /v1/models lists names and aliases', async () => {
    const { app } = makeApp();
    const j = (await (await app.request('/v1/models', { headers: auth })).json()) as { data: { id: string }[] };
    expect(j.data.map((m) => m.id).sort()).toEqual(['broken', 'chat', 'emb', 'fails']);
  });

  test('an upstream 503 becomes a 502 and is recorded', async () => {
    const { app, records } = makeApp();
    const r = await post(app, '/v1/chat/completions', JSON.stringify({ model: 'fails', messages: [{ role: 'user', content: 'x' }] }));
    expect(r.status).toBe(502);
    expect(records[0]!.status).toBe(502);
  });
});
