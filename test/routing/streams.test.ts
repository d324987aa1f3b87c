import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createFakeClock } from '../support/fake-clock.ts';
import { startFaultUpstream, type FaultUpstream } from '../mocks/fault-upstream.ts';
import { chat, contentOf, openFor, provider, startRoutingGateway, type RoutingGateway } from './helpers.ts';

const ups: Record<string, FaultUpstream> = {};
let env: RoutingGateway;
// Simulated time: the gateway's timers and the upstreams' delays jump ahead whenever only they are waiting.
const clock = createFakeClock({ auto: true });

beforeAll(async () => {
  const names = ['cut', 'malformed', 'early', 'earlyback', 'nodone', 'closed', 'stall'];
  for (const name of names) ups[name] = await startFaultUpstream(undefined, clock);
  ups.cut!.fallback = { kind: 'cut', after: 40, tokens: 60, intervalMs: 2 };
  ups.malformed!.fallback = { kind: 'malformed', after: 3, tokens: 10 };
  ups.early!.fallback = { kind: 'malformed', after: -1 };
  ups.nodone!.fallback = { kind: 'no-done', tokens: 8 };
  ups.closed!.fallback = { kind: 'clean-close', after: 5 };
  ups.stall!.fallback = { kind: 'stall', after: 4 };
  env = await startRoutingGateway({
    providers: Object.fromEntries(Object.entries(ups).map(([name, up]) => [name, provider(up.url)])),
    models: Object.fromEntries(names.map((n) => [n, { provider: n, model: 'm' }])),
    policy: {
      dir: 'policies',
      data: { routes: { early: { targets: [{ provider: 'early', model: 'm' }, { provider: 'earlyback', model: 'm' }] }, stall: { timeouts: { idle_ms: 500 } } } },
    },
  }, clock);
}, 30_000);

afterAll(async () => {
  await env.gw.stop();
  clock.stop();
  for (const up of Object.values(ups)) up.stop();
});

const isError = (e: unknown) => typeof e === 'object' && e !== null && 'error' in e;

test('a stream cut after 40 of 60 tokens ends with an error event, no [DONE], and ≥ 40 output tokens billed', async () => {
  const r = await chat(env, 'cut', { stream: true });
  expect(r.status).toBe(200);
  expect(contentOf(r.events)).toHaveLength(40);
  expect(isError(r.events.at(-1))).toBe(true);
  expect(r.events).not.toContain('[DONE]');
  const rows = await env.rows('cut');
  expect(rows).toHaveLength(1);
  console.log(`cut: ${contentOf(r.events).length} tokens relayed, then an error event; usage row ${rows[0]!.outcome}, ${rows[0]!.output_tokens} output tokens (${rows[0]!.usage_source})`);
  expect(rows[0]!.outcome).not.toBe('ok');
  expect(rows[0]!.output_tokens).toBeGreaterThanOrEqual(40);
  // Nothing was retried once the first byte had gone to the client.
  expect(ups.cut!.requests).toHaveLength(1);
});

test('a malformed SSE event mid-stream ends that stream with an error event; the gateway carries on', async () => {
  const r = await chat(env, 'malformed', { stream: true });
  expect(r.status).toBe(200);
  expect(contentOf(r.events)).toHaveLength(3);
  expect(isError(r.events.at(-1))).toBe(true);
  expect(r.events).not.toContain('[DONE]');
  expect((await fetch(env.gw.url + '/healthz')).status).toBe(200);
  const rows = await env.rows('malformed');
  expect(rows[0]!.outcome).toBe('upstream_invalid');
});

test('a malformed SSE event before the first byte is a failed attempt: another target answers', async () => {
  const r = await chat(env, 'early', { stream: true });
  expect(r.status).toBe(200);
  expect(r.events.at(-1)).toBe('[DONE]');
  expect(r.headers.get('x-tollgate-served-by')).toBe('earlyback/m');
});

test('a final event with no [DONE] on a connection left open is finalised within 1 s', async () => {
  const r = await chat(env, 'nodone', { stream: true });
  expect(r.status).toBe(200);
  expect(contentOf(r.events)).toHaveLength(8);
  expect(r.events.at(-1)).toBe('[DONE]');
  expect(r.ms).toBeLessThan(1_900);
  const rows = await env.rows('nodone');
  expect(rows[0]).toMatchObject({ outcome: 'ok', output_tokens: 8, usage_source: 'provider' });
  // The upstream connection was let go rather than left hanging.
  expect(await openFor(ups.nodone!)).toBeLessThan(2_000);
});

test('a clean close with no final event ends with an error event at once, never as a success', async () => {
  const r = await chat(env, 'closed', { stream: true });
  expect(r.status).toBe(200);
  expect(contentOf(r.events)).toHaveLength(5);
  expect(isError(r.events.at(-1))).toBe(true);
  expect(r.events).not.toContain('[DONE]');
  expect(r.ms).toBeLessThan(1_000);
  const rows = await env.rows('closed');
  expect(rows[0]!.outcome).toBe('upstream_invalid');
  expect(rows[0]!.output_tokens).toBeGreaterThanOrEqual(5);
});

test('a stream that stalls mid-way ends with a timeout error event at the idle limit, and its socket is closed', async () => {
  const r = await chat(env, 'stall', { stream: true });
  expect(contentOf(r.events)).toHaveLength(4);
  const last = r.events.at(-1) as { error: { type: string } };
  expect(last.error.type).toBe('timeout_error');
  expect(r.events).not.toContain('[DONE]');
  expect(r.ms).toBeGreaterThanOrEqual(480);
  expect(r.ms).toBeLessThan(1_500);
  // The upstream socket was closed at the idle limit.
  expect(await openFor(ups.stall!)).toBeLessThan(1_500);
  const rows = await env.rows('stall');
  expect(rows[0]).toMatchObject({ outcome: 'upstream_timeout' });
  expect(rows[0]!.output_tokens).toBeGreaterThanOrEqual(4);
});
