import { afterAll, describe, expect, test } from 'bun:test';
import { deadUpstreams, hostileApp, post } from '../support/hostile-app.ts';

// Bad Responses API input is a 400 naming the field on every provider route, never a 500 or a hang.
const upstreams = deadUpstreams();
afterAll(upstreams.stop);
const yaml = `${upstreams.yaml}models:
  chat: { provider: mock, model: mock/ok }
routing:
  retries: { max_retries: 0 }
`;
const withDeep = (body: unknown, n = 100_000) => JSON.stringify(body).replace('"DEEP"', '{"a":'.repeat(n) + '1' + '}'.repeat(n));

describe('JSON nested 100,000 deep', () => {
  const { app } = hostileApp(yaml, [{ provider: 'mock', model: 'mock/ok' }]);
  const cases: [string, unknown, string][] = [
    ['tool parameters', { model: 'chat', input: 'hi', tools: [{ type: 'function', name: 'f', parameters: 'DEEP' }] }, 'tools[0].parameters'],
    ['text.format schema', { model: 'chat', input: 'hi', text: { format: { type: 'json_schema', name: 'n', schema: 'DEEP' } } }, 'text.format.schema'],
    ['an input item', { model: 'chat', input: [{ role: 'user', content: 'hi', extra: 'DEEP' }] }, 'input[0].extra'],
  ];
  test.each(cases)('%s: a 400 naming the field', async (_, body, field) => {
    for (const path of ['/v1/responses', '/v1/responses/input_tokens']) {
      const r = await post(app, path, withDeep(body));
      const text = await r.text();
      expect([path, r.status]).toEqual([path, 400]);
      expect(text).toContain(`'${field}`);
    }
  });
});

describe('items and parts without their fields', () => {
  const items: unknown[] = [{}, { type: 7 }, 'text', { type: 'function_call' }, { type: 'function_call', call_id: 'c', name: 'f' }, { type: 'function_call_output', call_id: 'c' }, { role: 'user' }, { role: 'robot', content: 'x' }, { role: 'user', content: [{ type: 'input_text' }] }, { role: 'user', content: [{ type: 'input_text', text: 5 }] }, { role: 'user', content: [{}] }, { role: 'user', content: [{ type: 'input_image' }] }, { role: 'user', content: [{ type: 'input_file', file_url: 'https://x/y.pdf' }] }];
  for (const provider of ['mock', 'compat', 'anthropic', 'gemini', 'bedrock']) {
    const { app } = hostileApp(yaml, [{ provider, model: provider === 'mock' ? 'mock/ok' : 'm' }]);
    test.each(items.map((i) => [JSON.stringify(i)]))(`${provider}: item %s → 400`, async (item) => {
      const r = await post(app, '/v1/responses', { model: 'chat', input: [JSON.parse(item) as unknown] });
      expect([item, r.status]).toEqual([item, 400]);
      expect(((await r.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    });
  }
  test('the error names the missing field of a typed item', async () => {
    const { app } = hostileApp(yaml, [{ provider: 'mock', model: 'mock/ok' }]);
    const cases: [unknown, string][] = [
      [{ type: 'function_call', call_id: 'c', name: 'f' }, 'input[1].arguments'],
      [{ type: 'function_call_output', output: 'x' }, 'input[1].call_id'],
      [{ type: 'message', role: 'user' }, 'input[1].content'],
      [{ role: 'user', content: [{ type: 'input_text' }] }, 'input[1].content'],
    ];
    for (const [item, param] of cases) {
      const r = await post(app, '/v1/responses', { model: 'chat', input: [{ role: 'user', content: 'ok' }, item] });
      expect([JSON.stringify(item), r.status, ((await r.json()) as { error: { param: string } }).error.param]).toEqual([JSON.stringify(item), 400, param]);
    }
  });
  test('bad top-level values and bodies', async () => {
    const { app } = hostileApp(yaml, [{ provider: 'mock', model: 'mock/ok' }]);
    for (const body of ['not json', '[]', { input: 'hi' }, { model: 'chat', input: 5 }, { model: 'chat', input: 'x', tools: {} }, { model: 'chat', input: 'x', max_output_tokens: -1 }, { model: 'chat', input: 'x', text: { format: { type: 'xml' } } }, { model: 'chat', input: 'x', reasoning: { effort: 'huge' } }, { model: 'chat', input: 'x', truncation: 'sometimes' }]) {
      const r = await post(app, '/v1/responses', body);
      expect([JSON.stringify(body), r.status]).toEqual([JSON.stringify(body), 400]);
    }
  });
  test('stored-response routes answer 404 for ids that do not exist, and 400 for bad list parameters', async () => {
    const { app } = hostileApp(yaml, [{ provider: 'mock', model: 'mock/ok' }]);
    expect((await app.request('/v1/responses/resp_x')).status).toBe(404);
    expect((await app.request('/v1/responses/resp_x', { method: 'DELETE' })).status).toBe(404);
    expect((await app.request('/v1/responses/resp_x/input_items?limit=0')).status).toBe(404);
  });
});
