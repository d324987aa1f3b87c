import { afterAll, describe, expect, test } from 'bun:test';
import type { Logger } from '../../src/lib/logger.ts';
import { deadUpstreams, hostileApp, post } from '../support/hostile-app.ts';

// Item 3 of issue 11: bad input is a 400 naming the field, never a 500.
const deep = (n: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
};
const deepArrayText = (n: number) => '['.repeat(n) + ']'.repeat(n);
/** `body` as JSON text with "DEEP" replaced by an object nested `n` deep (too deep to stringify). */
const withDeep = (body: unknown, n = 100_000) => JSON.stringify(body).replace('"DEEP"', '{"a":'.repeat(n) + '1' + '}'.repeat(n));

const upstreams = deadUpstreams();
afterAll(upstreams.stop);
const dead = upstreams.dead;
const yaml = `${upstreams.yaml}models:
  chat: { provider: mock, model: mock/ok }
  embed: { provider: mock, model: mock/embedding, kind: embeddings }
routing:
  retries: { max_retries: 0 }
`;
const user = [{ role: 'user', content: 'hi' }];

describe('JSON nested 100,000 deep', () => {
  const { app } = hostileApp(yaml, [{ provider: 'mock', model: 'mock/ok' }]);
  const cases: [string, string, unknown, string][] = [
    ['chat tool parameters', '/v1/chat/completions', { model: 'chat', messages: user, tools: [{ type: 'function', function: { name: 'f', parameters: 'DEEP' } }] }, 'tools[0].function.parameters'],
    ['chat response_format', '/v1/chat/completions', { model: 'chat', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'n', schema: 'DEEP' } } }, 'response_format.json_schema.schema'],
    ['messages tool input_schema', '/v1/messages', { model: 'chat', max_tokens: 5, messages: user, tools: [{ name: 'f', input_schema: 'DEEP' }] }, 'tools[0].input_schema'],
    ['count_tokens tool input_schema', '/v1/messages/count_tokens', { model: 'chat', messages: user, tools: [{ name: 'f', input_schema: 'DEEP' }] }, 'tools[0].input_schema'],
    ['embeddings unknown field', '/v1/embeddings', { model: 'embed', input: 'hi', extra: 'DEEP' }, 'extra'],
  ];
  test.each(cases)('%s: a 400 naming the field', async (_, path, body, field) => {
    const r = await post(app, path, withDeep(body));
    const text = await r.text();
    expect(r.status).toBe(400);
    expect(text).toContain(`'${field}`);
    expect(text).toContain('nested deeper than 64 levels');
  });
  test('a body that is nothing but 100,000 nested arrays: a 400', async () => {
    for (const path of ['/v1/chat/completions', '/v1/messages', '/v1/embeddings', '/v1/messages/count_tokens']) {
      const r = await post(app, path, `{"model":"chat","messages":${deepArrayText(100_000)}}`);
      expect(r.status).toBe(400);
    }
  });
  test('64 levels are still accepted', async () => {
    const r = await post(app, '/v1/chat/completions', { model: 'chat', messages: user, tools: [{ type: 'function', function: { name: 'f', parameters: deep(55) } }] });
    expect(r.status).toBe(200);
  });
});

describe('blocks without their fields', () => {
  const anthropicBlocks = [{ type: 'text' }, { type: 'image' }, { type: 'image', source: {} }, { type: 'image', source: { type: 'base64' } }, { type: 'tool_use' }, { type: 'tool_use', id: 'x' }, { type: 'tool_result' }, { type: 'tool_result', tool_use_id: 'x', content: [{ type: 'text' }] }, { type: 'thinking' }, { type: 'redacted_thinking' }, { type: 'document' }, { type: 'text', text: 5 }, {}, { type: 7 }];
  const openaiParts = [{ type: 'text' }, { type: 'image_url' }, { type: 'image_url', image_url: {} }, { type: 'input_audio' }, { type: 'file' }, { type: 'refusal' }, {}, { type: 'text', text: null }];
  for (const provider of ['mock', 'compat', 'anthropic', 'gemini', 'bedrock']) {
    const { app } = hostileApp(yaml, [{ provider, model: provider === 'mock' ? 'mock/ok' : 'm' }]);
    test.each(anthropicBlocks.map((b) => [JSON.stringify(b)]))(`${provider}: Anthropic block %s → 400`, async (block) => {
      const b = JSON.parse(block) as unknown;
      for (const role of ['user', 'assistant']) {
        const r = await post(app, '/v1/messages', { model: 'chat', max_tokens: 5, messages: [...(role === 'assistant' ? user : []), { role, content: [b] }] });
        expect([block, role, r.status]).toEqual([block, role, 400]);
        expect(await r.text()).toContain('messages[');
      }
      expect((await post(app, '/v1/messages/count_tokens', { model: 'chat', messages: [{ role: 'user', content: [b] }] })).status).toBe(400);
    });
    test.each(openaiParts.map((p) => [JSON.stringify(p)]))(`${provider}: OpenAI part %s → 400`, async (part) => {
      const r = await post(app, '/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: [JSON.parse(part) as unknown] }] });
      expect([part, r.status]).toEqual([part, 400]);
    });
  }
});

describe('nonsense usage from a provider that answered', () => {
  const usages = [{ prompt_tokens: 1.5, completion_tokens: 2 }, { prompt_tokens: -4, completion_tokens: 2 }, { prompt_tokens: 3, completion_tokens: 1e300 }, { prompt_tokens: 3, completion_tokens: 2, prompt_tokens_details: { cached_tokens: -1 } }];
  let usage: unknown = usages[0];
  const upstream = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const body = (await req.json()) as { stream?: boolean };
      const message = { role: 'assistant', content: 'Hello there' };
      if (!body.stream) return Response.json({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message, finish_reason: 'stop' }], usage });
      const chunks = [{ choices: [{ index: 0, delta: message, finish_reason: null }] }, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }, { choices: [], usage }];
      return new Response(chunks.map((c) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', ...c })}\n\n`).join('') + 'data: [DONE]\n\n', { headers: { 'content-type': 'text/event-stream' } });
    },
  });
  afterAll(() => void upstream.stop(true));
  const cfg = yaml.replace(`compat: { type: openai-compatible, base_url: ${dead}/v1 }`, `compat: { type: openai-compatible, base_url: http://127.0.0.1:${upstream.port}/v1 }`);

  test.each(usages.flatMap((u) => [[JSON.stringify(u), false], [JSON.stringify(u), true]] as [string, boolean][]))('%s (stream %p): 200, estimated, logged', async (u, stream) => {
    usage = JSON.parse(u);
    const warned: string[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (msg) => void warned.push(msg) };
    const { app, records } = hostileApp(cfg, [{ provider: 'compat', model: 'm' }], logger);
    for (const path of ['/v1/chat/completions', '/v1/messages']) {
      const r = await post(app, path, { model: 'chat', max_tokens: 20, stream, messages: user });
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('Hello there');
    }
    // Rows are recorded once settlement has estimated the tokens (the tokenizer's first load is slow).
    for (let waited = 0; records.length < 2 && waited < 5_000; waited += 10) await Bun.sleep(10);
    expect(records).toHaveLength(2);
    for (const rec of records) {
      expect(rec.usage_source).toBe('estimated');
      expect(rec.usage.input_tokens).toBeGreaterThan(0);
      expect(Number.isSafeInteger(rec.cost_micros)).toBe(true);
    }
    expect(warned.some((m) => m.includes('not whole token counts'))).toBe(true);
  });
});
