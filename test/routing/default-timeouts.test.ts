import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createFakeClock } from '../support/fake-clock.ts';
import { startFaultUpstream, type Fault, type FaultUpstream } from '../mocks/fault-upstream.ts';
import { chat, contentOf, provider, startRoutingGateway, type RoutingGateway } from './helpers.ts';

// Issue 11 item 8: at the DEFAULT timeouts (no routing section in the config), a hung, stalled
// or broken upstream fails the request within about two minutes of simulated time (it used to
// be 360 s and 600 s), while a stream that keeps producing runs far past the request deadline.
// Its upstreams hang or stall, so requests wait on timers, not on real work: a shorter settle is safe.
const clock = createFakeClock({ auto: true, settleMs: 50 });
const faults: Record<string, Fault> = {
  hang: { kind: 'silent' },
  stall: { kind: 'half-body', close: false },
  streamstall: { kind: 'stall', after: 3 },
  html: { kind: 'html' },
  halfbody: { kind: 'half-body', close: true },
  long: { kind: 'ok', tokens: 20, intervalMs: 50_000 },
};
const ups: Record<string, FaultUpstream> = {};
let env: RoutingGateway;

beforeAll(async () => {
  for (const [name, fault] of Object.entries(faults)) ups[name] = await startFaultUpstream(fault, clock);
  env = await startRoutingGateway(
    {
      providers: Object.fromEntries(Object.entries(ups).map(([name, up]) => [name, provider(up.url)])),
      models: Object.fromEntries(Object.keys(ups).map((name) => [name, { provider: name, model: 'm' }])),
      policy: { dir: 'policies' },
    },
    clock,
  );
}, 30_000);

afterAll(async () => {
  await env.gw.stop();
  clock.stop();
  for (const up of Object.values(ups)) up.stop();
});

test('a hung upstream (no byte ever): 504 after one first-byte wait of 120 s, not retried on the same target', async () => {
  const json = await chat(env, 'hang');
  expect(json.status).toBe(504);
  expect(json.ms).toBeGreaterThanOrEqual(120_000);
  expect(json.ms).toBeLessThan(121_000);
  const stream = await chat(env, 'hang', { stream: true });
  expect(stream.status).toBe(504);
  expect(stream.ms).toBeLessThan(121_000);
  expect(ups.hang!.requests.length).toBe(2);
  console.log(`hung upstream at defaults: JSON ${json.ms} ms, stream ${stream.ms} ms (simulated)`);
});

test('a JSON answer that stalls half-way: 504 within 125 s (60 s idle, one retry while the deadline holds a whole attempt)', async () => {
  const r = await chat(env, 'stall');
  expect(r.status).toBe(504);
  expect(r.ms).toBeLessThan(125_000);
  expect(ups.stall!.requests.length).toBe(2);
  console.log(`stalled JSON at defaults: ${r.ms} ms (simulated), ${ups.stall!.requests.length} attempts`);
});

test('a stream that stalls after its first events ends with an error event after the 60 s idle timeout', async () => {
  const r = await chat(env, 'streamstall', { stream: true });
  expect(r.status).toBe(200);
  expect(r.events.includes('[DONE]')).toBe(false);
  expect(r.text).toContain('error');
  expect(r.ms).toBeGreaterThanOrEqual(60_000);
  expect(r.ms).toBeLessThan(61_000);
});

test('an HTML 200 and a body cut half-way: 502 within seconds, after the retries', async () => {
  const html = await chat(env, 'html');
  expect(html.status).toBe(502);
  expect(html.ms).toBeLessThan(2_000);
  expect(ups.html!.requests.length).toBe(3);
  const half = await chat(env, 'halfbody');
  expect(half.status).toBe(502);
  expect(half.ms).toBeLessThan(2_000);
  console.log(`HTML 200 at defaults: ${html.ms} ms; half body: ${half.ms} ms (simulated)`);
});

test('a stream producing every 50 s runs its 1,000 s to the end: the request deadline does not cut generation', async () => {
  const r = await chat(env, 'long', { stream: true });
  expect(r.status).toBe(200);
  expect(contentOf(r.events).length).toBe(20);
  expect(r.events.at(-1)).toBe('[DONE]');
  expect(r.ms).toBeGreaterThanOrEqual(1_000_000);
});
