import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startTestGateway } from '../helpers/gateway.ts';
import { startFaultUpstream, type FaultUpstream } from '../mocks/fault-upstream.ts';
import { sha256Hex } from '../../src/lib/hash.ts';
import type { Gateway } from '../../src/server/start.ts';

// A local OTLP/HTTP receiver takes the spans the gateway exports (OTLP JSON, as the
// OpenTelemetry SDK's HTTP exporter sends them); the fault upstream records the traceparent it got.
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number } }[];
  status?: { code?: number; message?: string };
}
const SERVER = 2;
const CLIENT = 3;
const received: { spans: OtlpSpan[]; service: string[]; contentType: string[] } = { spans: [], service: [], contentType: [] };
let receiver: ReturnType<typeof Bun.serve>;
let up: FaultUpstream;
let gw: Gateway;
const KEY = 'tg-tracing-key-7b2e91c4d05a';
const UPSTREAM_KEY = 'upstream-secret-4c1d9e7a2b5f';

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    async fetch(req) {
      if (req.method !== 'POST' || new URL(req.url).pathname !== '/v1/traces') return new Response('not found', { status: 404 });
      received.contentType.push(req.headers.get('content-type') ?? '');
      const body = (await req.json()) as { resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of body.resourceSpans) {
        received.service.push(rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '');
        for (const ss of rs.scopeSpans) received.spans.push(...ss.spans);
      }
      return Response.json({});
    },
  });
  up = await startFaultUpstream();
  gw = await startTestGateway({
    server: { host: '127.0.0.1', port: 0 },
    tracing: { endpoint: `http://127.0.0.1:${receiver.port}/v1/traces`, batch_ms: 20, service_name: 'tollgate-test' },
    providers: { up: { type: 'openai-compatible', base_url: `${up.url}/v1`, api_key: UPSTREAM_KEY } },
    models: { chat: { provider: 'up', model: 'up-model' } },
    routing: { retries: { max_retries: 2, backoff_base_ms: 1, backoff_max_ms: 2 } },
    keys: [{ name: 'ci', team: 'ml', hash: `sha256:${sha256Hex(KEY)}` }],
  });
});
afterAll(async () => {
  await gw?.stop();
  up?.stop();
  receiver?.stop(true);
});

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : (v?.boolValue ?? v?.doubleValue));
};
const spansOf = async (traceId: string, count: number) => {
  for (let i = 0; i < 200; i++) {
    const mine = received.spans.filter((s) => s.traceId === traceId);
    if (mine.length >= count) return mine;
    await Bun.sleep(20);
  }
  throw new Error(`expected ${count} spans of trace ${traceId}, got ${received.spans.filter((s) => s.traceId === traceId).length}`);
};
const chat = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
  fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers }, body: JSON.stringify({ model: 'chat', max_tokens: 64, temperature: 0.2, messages: [{ role: 'user', content: 'trace me' }], ...body }) });

describe('traces over OTLP/HTTP', () => {
  test("the client's traceparent parents the server span; each attempt is a client span whose context reaches the provider", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    // The provider's error echoes its key: the span must not carry it.
    up.script({ kind: 'status', status: 500, body: `{"error":{"message":"boom for key ${UPSTREAM_KEY}"}}` }, { kind: 'ok' });
    const seen = up.requests.length;
    const r = await chat({ traceparent: `00-${traceId}-${parent}-01` });
    expect(r.status).toBe(200);
    await r.text();
    const spans = await spansOf(traceId, 3);
    const server = spans.filter((s) => s.kind === SERVER);
    const clients = spans.filter((s) => s.kind === CLIENT).sort((a, b) => Number(attr(a, 'tollgate.attempt')) - Number(attr(b, 'tollgate.attempt')));
    expect(server.length).toBe(1);
    expect(clients.length).toBe(2);
    const s = server[0]!;
    expect(s.parentSpanId).toBe(parent);
    expect(s.name).toBe('chat chat');
    expect([attr(s, 'gen_ai.operation.name'), attr(s, 'gen_ai.request.model'), attr(s, 'gen_ai.response.model'), attr(s, 'gen_ai.request.max_tokens'), attr(s, 'gen_ai.request.temperature')]).toEqual(['chat', 'chat', 'up-model', 64, 0.2]);
    expect(attr(s, 'gen_ai.usage.input_tokens')).toBeGreaterThan(0);
    expect(attr(s, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);
    expect(attr(s, 'tollgate.attempts')).toBe(2);
    expect(attr(s, 'tollgate.team')).toBe('ml');
    // The first attempt failed with the provider's 500, the retry answered.
    expect(clients.map((c) => [c.parentSpanId, attr(c, 'http.response.status_code'), c.status?.code ?? 0])).toEqual([
      [s.spanId, 500, 2],
      [s.spanId, 200, 0],
    ]);
    expect(attr(clients[0]!, 'error.type')).toBe('500');
    expect(clients[0]!.status?.message).toContain('boom for key');
    expect(JSON.stringify(received.spans)).not.toContain(UPSTREAM_KEY);
    // Each upstream request carried its own attempt span as its parent.
    const sent = up.requests.slice(seen).map((q) => q.headers.traceparent);
    expect(sent).toEqual(clients.map((c) => `00-${traceId}-${c.spanId}-01`));
    // The attempts lie within the request span.
    for (const c of clients) {
      expect(BigInt(c.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(s.startTimeUnixNano));
      expect(BigInt(c.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(s.endTimeUnixNano));
    }
    expect(received.service).toContain('tollgate-test');
    expect(received.contentType.every((t) => t.startsWith('application/json'))).toBe(true);
  });

  test('a stream: the server span ends when the stream does, with the usage it reported', async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const r = await chat({ traceparent: `00-${traceId}-1111111111111111-01` }, { stream: true, stream_options: { include_usage: true } });
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('[DONE]');
    const [s] = (await spansOf(traceId, 2)).filter((x) => x.kind === SERVER);
    expect(attr(s!, 'tollgate.stream')).toBe(true);
    expect(attr(s!, 'tollgate.outcome')).toBe('ok');
    expect(attr(s!, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);
  });

  test('a request refused before admission still gets a span, with its status', async () => {
    const traceId = 'ffeeddccbbaa99887766554433221100';
    const r = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-2222222222222222-01` }, body: '{}' });
    expect(r.status).toBe(401);
    const [s] = await spansOf(traceId, 1);
    expect([s!.kind, attr(s!, 'http.response.status_code'), s!.name]).toEqual([SERVER, 401, 'POST /v1/chat/completions']);
  });

  test('without a traceparent a new trace starts, and the provider still gets one', async () => {
    const seen = up.requests.length;
    const r = await chat({});
    expect(r.status).toBe(200);
    await r.text();
    const tp = up.requests[seen]?.headers.traceparent ?? '';
    expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const spans = await spansOf(tp.split('-')[1]!, 2);
    expect(spans.find((x) => x.kind === SERVER)?.parentSpanId ?? '').toBe('');
  });
});
