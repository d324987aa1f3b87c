import { afterAll, describe, expect, test } from 'bun:test';
import { hostileApp, post } from '../support/hostile-app.ts';

// Item 7 of issue 11: upstream bodies are bounded. Each hostile upstream offers 200 MB that
// never completes what the gateway waits for (an SSE line, a JSON document, an error body).
const OFFERED = 200 * 1024 * 1024;
const CHUNK = new TextEncoder().encode('x'.repeat(64 * 1024));
const MB = 1024 * 1024;
const sent: Record<string, number> = {};

function endless(mode: string, prefix: string): ReadableStream<Uint8Array> {
  sent[mode] = 0;
  let first = true;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (first) {
        first = false;
        return c.enqueue(new TextEncoder().encode(prefix));
      }
      if (sent[mode]! >= OFFERED) return c.close();
      sent[mode]! += CHUNK.byteLength;
      c.enqueue(CHUNK);
    },
  });
}

const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, finish_reason: null }] };
const upstream = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch(req) {
    const mode = new URL(req.url).pathname.split('/')[1]!;
    if (mode === 'sse') return new Response(endless(mode, `data: ${JSON.stringify(chunk)}\n\ndata: {"choices":"`), { headers: { 'content-type': 'text/event-stream' } });
    if (mode === 'json') return new Response(endless(mode, '{"id":"'), { headers: { 'content-type': 'application/json' } });
    return new Response(endless(mode, '{"error":{"message":"'), { status: 500, headers: { 'content-type': 'application/json' } });
  },
});
afterAll(() => void upstream.stop(true));

const base = `http://127.0.0.1:${upstream.port}`;
const yaml = `
server: { allow_anonymous: true }
providers:
  sse: { type: openai-compatible, base_url: ${base}/sse/v1 }
  json: { type: openai-compatible, base_url: ${base}/json/v1 }
  err: { type: openai-compatible, base_url: ${base}/err/v1 }
models:
  chat: { provider: sse, model: m }
routing:
  retries: { max_retries: 0 }
`;
const body = (stream: boolean) => ({ model: 'chat', stream, messages: [{ role: 'user', content: 'hi' }] });

/** Runs `f` while sampling RSS every 10 ms; returns its result and the peak growth in MB. */
async function peakGrowth<T>(f: () => Promise<T>): Promise<{ value: T; growthMb: number }> {
  Bun.gc(true);
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const value = await f();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, growthMb: (peak - before) / MB };
  } finally {
    clearInterval(timer);
  }
}

describe('hostile upstream bodies are bounded', () => {
  test('an SSE line that never ends: an in-band error event after the first events, memory flat', async () => {
    const { app } = hostileApp(yaml, [{ provider: 'sse', model: 'm' }]);
    const { value: text, growthMb } = await peakGrowth(async () => (await post(app, '/v1/chat/completions', body(true))).text());
    console.log(`unterminated SSE line: peak RSS growth ${growthMb.toFixed(1)} MB, upstream sent ${(sent.sse! / MB).toFixed(1)} MB`);
    expect(text).toContain('Hello');
    expect(text).toContain('larger than 1048576 bytes');
    expect(sent.sse!).toBeLessThan(16 * MB);
    expect(growthMb).toBeLessThan(64);
  });

  test('a JSON response past 32 MiB: a 502 naming the bound', async () => {
    const { app } = hostileApp(yaml, [{ provider: 'json', model: 'm' }]);
    const { value: r, growthMb } = await peakGrowth(async () => {
      const res = await post(app, '/v1/chat/completions', body(false));
      return { status: res.status, text: await res.text() };
    });
    console.log(`300 MB-style JSON body: peak RSS growth ${growthMb.toFixed(1)} MB, upstream sent ${(sent.json! / MB).toFixed(1)} MB`);
    expect(r.status).toBe(502);
    expect(r.text).toContain('larger than 33554432 bytes');
    expect(sent.json!).toBeLessThan(64 * MB);
    expect(growthMb).toBeLessThan(160);
  });

  test('an endless error body: read up to 64 KiB, the attempt fails with the provider status', async () => {
    const { app } = hostileApp(yaml, [{ provider: 'err', model: 'm' }]);
    const { value: r, growthMb } = await peakGrowth(async () => {
      const res = await post(app, '/v1/chat/completions', body(false));
      return { status: res.status, text: await res.text() };
    });
    console.log(`endless error body: peak RSS growth ${growthMb.toFixed(1)} MB, upstream sent ${(sent.err! / MB).toFixed(1)} MB`);
    expect(r.status).toBe(502);
    expect(r.text).toContain('err/m: HTTP 500');
    expect(sent.err!).toBeLessThan(16 * MB);
    expect(growthMb).toBeLessThan(32);
  });
});
