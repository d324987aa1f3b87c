import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createFakeClock } from '../support/fake-clock.ts';
import { startFaultUpstream, type FaultUpstream } from '../mocks/fault-upstream.ts';
import { chat, provider, startRoutingGateway, type RoutingGateway } from './helpers.ts';

const ups: Record<string, FaultUpstream> = {};
let env: RoutingGateway;
// Simulated time: the gateway's timers and the upstreams' delays jump ahead whenever only they are waiting.
const clock = createFakeClock({ auto: true });
const SECRET = 'sk-test-SECRET-0123456789abcdefghij';
const BAD = 'sk-test-BADKEY-aaaaaaaaaaaaaaaaaaaa';
const GOOD = 'sk-test-GOODKEY-bbbbbbbbbbbbbbbbbbb';
const chain = (...providers: string[]) => ({ targets: providers.map((p) => ({ provider: p, model: 'm' })) });
const tooLong = { message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' };

beforeAll(async () => {
  const names = ['ra', 'radate', 'ralong', 'ralongback', 'once500', 'reset', 'auth', 'rotate', 'twokeys', 'ctx', 'ctxnext', 'ctxbig', 'ctxonly'];
  for (const name of names) ups[name] = await startFaultUpstream(undefined, clock);
  ups.ralong!.fallback = { kind: 'status', status: 429, headers: { 'retry-after': '60' } };
  ups.auth!.fallback = { kind: 'status', status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${SECRET}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }) };
  for (const n of ['ctx', 'ctxonly']) ups[n]!.fallback = { kind: 'status', status: 400, body: JSON.stringify({ error: tooLong }) };
  const providers: Record<string, unknown> = Object.fromEntries(Object.entries(ups).map(([name, up]) => [name, provider(up.url)]));
  providers.auth = provider(ups.auth!.url, { api_key: SECRET });
  providers.rotate = provider(ups.rotate!.url, { api_keys: [BAD, GOOD] });
  providers.twokeys = provider(ups.twokeys!.url, { api_keys: [BAD, GOOD] });
  const models = Object.fromEntries(names.map((n) => [n, { provider: n, model: 'm' }]));
  env = await startRoutingGateway({
    providers,
    models,
    policy: {
      dir: 'policies',
      data: {
        routes: {
          ralong: chain('ralong', 'ralongback'),
          ctx: { ...chain('ctx', 'ctxnext'), fallbacks: { context_length: [{ provider: 'ctxbig', model: 'm' }] } },
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

const gap = (up: FaultUpstream) => up.requests[1]!.at - up.requests[0]!.at;

test('429 with Retry-After: 2 → the second attempt starts at least 1.8 s later', async () => {
  ups.ra!.script({ kind: 'status', status: 429, headers: { 'retry-after': '2' } });
  const r = await chat(env, 'ra');
  console.log(`retry-after 2: second attempt ${gap(ups.ra!)} ms after the first`);
  expect(r.status).toBe(200);
  expect(ups.ra!.requests).toHaveLength(2);
  expect(gap(ups.ra!)).toBeGreaterThanOrEqual(1_800);
});

test('429 with Retry-After as an HTTP-date is honoured too', async () => {
  // HTTP-dates have whole seconds: three seconds ahead (on the gateway's wall clock) is at least two seconds away.
  ups.radate!.script({ kind: 'status', status: 429, headers: { 'retry-after': new Date(clock.wall() + 3_000).toUTCString() } });
  const r = await chat(env, 'radate');
  console.log(`retry-after date: second attempt ${gap(ups.radate!)} ms after the first`);
  expect(r.status).toBe(200);
  expect(gap(ups.radate!)).toBeGreaterThanOrEqual(1_800);
});

test('a Retry-After longer than the time budget moves on to the next target at once', async () => {
  const r = await chat(env, 'ralong');
  expect(r.status).toBe(200);
  expect(r.headers.get('x-tollgate-served-by')).toBe('ralongback/m');
  expect(ups.ralong!.requests).toHaveLength(1);
  expect(r.ms).toBeLessThan(1_000);
  // The key rests for the time asked: the next request does not knock again.
  await chat(env, 'ralong');
  expect(ups.ralong!.requests).toHaveLength(1);
});

test('a 500 once → exactly 2 attempts, success and 1 usage row', async () => {
  ups.once500!.script({ kind: 'status', status: 500 });
  const r = await chat(env, 'once500');
  expect(r.status).toBe(200);
  expect(r.headers.get('x-tollgate-attempts')).toBe('2');
  expect(ups.once500!.requests).toHaveLength(2);
  const rows = await env.rows('once500');
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ attempts: 2, status: 200, outcome: 'ok', provider: 'once500' });
});

test('a TCP reset before the headers is retried and succeeds', async () => {
  ups.reset!.script({ kind: 'reset' });
  const r = await chat(env, 'reset', { stream: true });
  expect(r.status).toBe(200);
  expect(r.events.at(-1)).toBe('[DONE]');
  expect(ups.reset!.requests).toHaveLength(2);
  expect(r.headers.get('x-tollgate-attempts')).toBe('2');
});

test('401 from a provider: no retry on that key; the client gets a 502 with no key material', async () => {
  const r = await chat(env, 'auth');
  expect(r.status).toBe(502);
  expect(ups.auth!.requests).toHaveLength(1);
  const shown = r.text + JSON.stringify([...r.headers]);
  expect(shown).not.toContain(SECRET);
  expect(shown).not.toContain('SECRET');
  expect(String((r.json!.error as { message: string }).message)).toContain('auth/m');
  // The refused key rests: a second request does not send it again.
  const again = await chat(env, 'auth');
  expect(again.status).toBe(502);
  expect(ups.auth!.requests).toHaveLength(1);
  expect(again.text).not.toContain('SECRET');
  const rows = await env.rows('auth');
  expect(JSON.stringify(rows)).not.toContain('SECRET');
});

test('a refused key is not retried; the next key is, and stays in use', async () => {
  ups.twokeys!.script({ kind: 'status', status: 401 });
  const first = await chat(env, 'twokeys');
  expect(first.status).toBe(200);
  await chat(env, 'twokeys');
  await chat(env, 'twokeys');
  const keys = ups.twokeys!.requests.map((q) => q.headers.authorization);
  expect(keys).toEqual([`Bearer ${BAD}`, `Bearer ${GOOD}`, `Bearer ${GOOD}`, `Bearer ${GOOD}`]);
});

test('several keys rotate; a 429 cools one key down while the other serves at once', async () => {
  await chat(env, 'rotate');
  await chat(env, 'rotate');
  ups.rotate!.script({ kind: 'status', status: 429, headers: { 'retry-after': '30' } });
  const limited = await chat(env, 'rotate');
  expect(limited.status).toBe(200);
  for (let i = 0; i < 3; i++) await chat(env, 'rotate');
  const keys = ups.rotate!.requests.map((q) => (q.headers.authorization === `Bearer ${BAD}` ? 'A' : 'B'));
  // Round-robin A, B; then A is limited and B answers straight away; A rests for 30 s.
  expect(keys).toEqual(['A', 'B', 'A', 'B', 'B', 'B', 'B']);
  expect(ups.rotate!.requests[3]!.at - ups.rotate!.requests[2]!.at).toBeLessThan(500);
});

test('a context-length error is not retried on the same model; the decision sends it to a larger one', async () => {
  const r = await chat(env, 'ctx');
  expect(r.status).toBe(200);
  expect(r.headers.get('x-tollgate-served-by')).toBe('ctxbig/m');
  expect(ups.ctx!.requests).toHaveLength(1);
  expect(ups.ctxnext!.requests).toHaveLength(0);
  // Without a fallback for it in the decision, the caller gets the provider's 400, once.
  const plain = await chat(env, 'ctxonly');
  expect(plain.status).toBe(400);
  expect(ups.ctxonly!.requests).toHaveLength(1);
  expect((plain.json!.error as { code: string }).code).toBe('context_length_exceeded');
});
