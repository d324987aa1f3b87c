import { afterAll, beforeAll, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { startTestGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../../src/server/start.ts';

// An upstream that sends one chunk and then waits until the test releases it. If the gateway
// buffered, the client could not see the first chunk before the release.
let release!: () => void;
const released = new Promise<void>((r) => (release = r));
const enc = new TextEncoder();
const chunk = (content: string, finish: string | null = null) =>
  enc.encode(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`);
const upstream = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch: () =>
    new Response(
      new ReadableStream({
        async start(c) {
          c.enqueue(chunk('first'));
          await released;
          c.enqueue(chunk(' second', 'stop'));
          c.enqueue(enc.encode('data: [DONE]\n\n'));
          c.close();
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    ),
});
let gw: Gateway;
beforeAll(async () => {
  gw = await startTestGateway({ providers: { up: { type: 'openai-compatible', base_url: `http://127.0.0.1:${upstream.port}/v1` } }, models: { m: { provider: 'up', model: 'm' } } });
});
afterAll(async () => {
  await gw.stop();
  upstream.stop(true);
});

test('each upstream chunk reaches the client as it arrives, not buffered', async () => {
  const client = new OpenAI({ baseURL: gw.url + '/v1', apiKey: 'x', maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const seen: string[] = [];
  for await (const c of stream) {
    const t = c.choices[0]?.delta.content;
    if (t) {
      seen.push(t);
      if (t === 'first') release();
    }
  }
  expect(seen).toEqual(['first', ' second']);
});
