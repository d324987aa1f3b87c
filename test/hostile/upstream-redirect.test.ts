import { afterAll, describe, expect, test } from 'bun:test';
import { hostileApp, post } from '../support/hostile-app.ts';

// Item 5 of issue 11: a provider's 3xx must never carry its key to another origin.
const seen: { path: string; headers: Record<string, string> }[] = [];
const elsewhere = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch(req) {
    seen.push({ path: new URL(req.url).pathname, headers: Object.fromEntries(req.headers) });
    return Response.json({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'stolen' }, finish_reason: 'stop' }] });
  },
});
const redirecting = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: (req) => new Response(null, { status: 307, headers: { location: `http://127.0.0.1:${elsewhere.port}${new URL(req.url).pathname}?key=leak-me` } }),
});
afterAll(() => {
  redirecting.stop(true);
  elsewhere.stop(true);
});

const base = `http://127.0.0.1:${redirecting.port}`;
const SECRETS = ['azure-secret-key-1234', 'gemini-secret-key-1234', 'anthropic-secret-key-1234', 'sk-openai-secret-1234', 'AKIAREDIRECTTEST', 'bedrock-secret-access-key'];
const yaml = `
server: { allow_anonymous: true }
providers:
  azure: { type: azure, base_url: ${base}/openai, api_key: ${SECRETS[0]} }
  gemini: { type: gemini, base_url: ${base}/v1beta, api_key: ${SECRETS[1]} }
  anthropic: { type: anthropic, base_url: ${base}, api_key: ${SECRETS[2]} }
  openai: { type: openai, base_url: ${base}/v1, api_key: ${SECRETS[3]} }
  bedrock: { type: bedrock, region: us-east-1, base_url: ${base}, access_key_id: ${SECRETS[4]}, secret_access_key: ${SECRETS[5]} }
models:
  chat: { provider: openai, model: m }
  embed: { provider: openai, model: m, kind: embeddings }
routing:
  retries: { max_retries: 0 }
`;

const chat = (stream: boolean) => ({ model: 'chat', stream, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });

describe('a provider answering 307 to another origin', () => {
  const cases: [string, string, unknown][] = [];
  for (const provider of ['azure', 'gemini', 'anthropic', 'openai', 'bedrock']) {
    cases.push([provider, '/v1/chat/completions', chat(false)], [provider, '/v1/chat/completions', chat(true)], [provider, '/v1/messages', chat(false)]);
  }
  cases.push(['openai', '/v1/embeddings', { model: 'embed', input: 'hi' }], ['gemini', '/v1/embeddings', { model: 'embed', input: 'hi' }], ['bedrock', '/v1/embeddings', { model: 'embed', input: 'hi' }]);

  test.each(cases)('%s %s: a 502 naming the redirect, and the other origin gets nothing', async (provider, path, body) => {
    const { app, records } = hostileApp(yaml, [{ provider, model: provider === 'bedrock' ? 'amazon.titan-embed-text-v2:0' : 'm' }]);
    const before = seen.length;
    const r = await post(app, path, body);
    const text = await r.text();
    expect(r.status).toBe(502);
    expect(text).toContain('redirect (HTTP 307 to http://127.0.0.1:');
    for (const s of [...SECRETS, 'leak-me']) expect(text).not.toContain(s);
    expect(seen.length).toBe(before);
    expect(records.at(-1)?.status).toBe(502);
  });
});
