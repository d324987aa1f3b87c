import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createFakeClock } from '../support/fake-clock.ts';
import { startFaultUpstream, type FaultUpstream } from '../mocks/fault-upstream.ts';
import { chat, provider, startRoutingGateway, type RoutingGateway } from './helpers.ts';

const ups: Record<string, FaultUpstream> = {};
let env: RoutingGateway;
// Simulated time: the gateway's timers and the upstreams' delays jump ahead whenever only they are waiting.
const clock = createFakeClock({ auto: true });
const set = (providers: [string, number][], model = 'm') => ({ mode: 'weighted', targets: providers.map(([p, weight]) => ({ provider: p, model, weight })) });

beforeAll(async () => {
  for (const name of ['w1', 'w3', 'fast', 'slow', 'busy1', 'busy2', 'cheap', 'dear', 'bal1', 'bal2', 'after']) ups[name] = await startFaultUpstream(undefined, clock);
  ups.fast!.fallback = { kind: 'delay', ms: 5, then: { kind: 'ok' } };
  ups.slow!.fallback = { kind: 'delay', ms: 150, then: { kind: 'ok' } };
  for (const n of ['busy1', 'busy2']) ups[n]!.fallback = { kind: 'delay', ms: 500, then: { kind: 'ok' } };
  for (const n of ['bal1', 'bal2']) ups[n]!.fallback = { kind: 'status', status: 503 };
  env = await startRoutingGateway({
    providers: Object.fromEntries(Object.entries(ups).map(([name, up]) => [name, provider(up.url)])),
    models: { weighted: { provider: 'w1', model: 'm' }, latency: { provider: 'fast', model: 'm' }, inflight: { provider: 'busy1', model: 'm' }, cost: { provider: 'cheap', model: 'cheap-model' }, setfallback: { provider: 'bal1', model: 'm' } },
    prices: { 'cheap-model': { input: 0.1, output: 0.4 }, 'dear-model': { input: 3, output: 15 } },
    policy: {
      dir: 'policies',
      data: {
        routes: {
          weighted: { targets: set([['w1', 1], ['w3', 3]]) },
          latency: { targets: set([['slow', 1], ['fast', 1]]), strategy: 'latency' },
          inflight: { targets: set([['busy1', 1], ['busy2', 1]]), strategy: 'least_inflight' },
          cost: { targets: { mode: 'weighted', targets: [{ provider: 'dear', model: 'dear-model', weight: 9 }, { provider: 'cheap', model: 'cheap-model', weight: 1 }] }, strategy: 'cost' },
          setfallback: { targets: { ...set([['bal1', 1], ['bal2', 1]]), fallbacks: [{ provider: 'after', model: 'm' }] }, retries: { max_retries: 0 } },
        },
      },
    },
  }, clock);
}, 30_000);

afterAll(async () => {
  await env.gw.stop();
  clock.stop();
  for (const up of Object.values(ups)) up.stop();
});

const servedBy = (r: { headers: Headers }) => r.headers.get('x-tollgate-served-by')!.split('/')[0]!;

test('weighted: traffic splits by weight', async () => {
  for (let i = 0; i < 400; i++) await chat(env, 'weighted');
  const share = ups.w3!.requests.length / 400;
  console.log(`weighted 1:3 → ${(share * 100).toFixed(0)}% to the weight-3 target`);
  expect(share).toBeGreaterThan(0.65);
  expect(share).toBeLessThan(0.85);
});

test('lowest latency: once both are measured, the faster target takes the traffic', async () => {
  for (let i = 0; i < 30; i++) await chat(env, 'latency');
  expect(ups.slow!.requests.length).toBeGreaterThanOrEqual(1);
  expect(ups.fast!.requests.length).toBeGreaterThanOrEqual(25);
});

test('least in-flight: concurrent requests spread over both targets', async () => {
  await Promise.all(Array.from({ length: 10 }, () => chat(env, 'inflight')));
  expect(ups.busy1!.requests.length).toBeGreaterThanOrEqual(4);
  expect(ups.busy2!.requests.length).toBeGreaterThanOrEqual(4);
});

test('lowest cost: the cheaper target first, whatever the weights', async () => {
  for (let i = 0; i < 10; i++) expect(servedBy(await chat(env, 'cost'))).toBe('cheap');
  expect(ups.dear!.requests).toHaveLength(0);
});

test('a balanced set falls back to its fallbacks when every member fails', async () => {
  const r = await chat(env, 'setfallback');
  expect(r.status).toBe(200);
  expect(servedBy(r)).toBe('after');
  expect(r.headers.get('x-tollgate-attempts')).toBe('3');
});
