import { afterAll, describe, expect, test } from 'bun:test';
import { hostileApp, post } from '../support/hostile-app.ts';

// Item 6 of issue 11: a provider's mid-stream error event that echoes credentials is scrubbed
// exactly as the non-stream path scrubs (routing/route-error.ts `scrub`).
const KEY = 'configured-provider-key-9876';
const ECHO = `upstream rejected header Authorization: Bearer sk-live-abcdef123456, x-api-key: ${KEY}, AIzaSyA1234567890abcdef`;
const LEAKS = ['sk-live-abcdef123456', KEY, 'AIzaSyA1234567890abcdef'];

const sse = (frames: string[]) =>
  new Response(frames.join(''), { headers: { 'content-type': 'text/event-stream' } });

const upstream = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch(req) {
    if (new URL(req.url).pathname.endsWith('/chat/completions')) {
      const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, finish_reason: null }] };
      return sse([`data: ${JSON.stringify(chunk)}\n\n`, `data: ${JSON.stringify({ error: { message: ECHO, type: 'server_error' } })}\n\n`]);
    }
    const start = { type: 'message_start', message: { id: 'msg', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 0 } } };
    const block = { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } };
    const delta = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } };
    return sse([start, block, delta].map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).concat(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message: ECHO } })}\n\n`));
  },
});
afterAll(() => void upstream.stop(true));

const yaml = `
server: { allow_anonymous: true }
providers:
  compat: { type: openai-compatible, base_url: http://127.0.0.1:${upstream.port}/v1, api_key: ${KEY} }
  anthropic: { type: anthropic, base_url: http://127.0.0.1:${upstream.port}, api_key: ${KEY} }
models:
  chat: { provider: compat, model: m }
`;
const body = { model: 'chat', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

describe('a mid-stream error event echoing credentials', () => {
  test.each([
    ['compat', '/v1/chat/completions'],
    ['compat', '/v1/messages'],
    ['anthropic', '/v1/chat/completions'],
    ['anthropic', '/v1/messages'],
  ])('from %s, on %s: the client gets the error without the secrets', async (provider, path) => {
    const { app } = hostileApp(yaml, [{ provider, model: 'm' }]);
    const r = await post(app, path, body);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('Hello');
    expect(text).toContain('upstream rejected header');
    expect(text).toContain('[redacted]');
    for (const leak of LEAKS) expect(text).not.toContain(leak);
  });
});
