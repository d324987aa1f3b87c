import { expect, test } from 'bun:test';
import { createApp } from './app.ts';
import { parseConfig } from '../config/load.ts';
import { buildRuntime, runtimeHolder } from '../config/runtime.ts';
import { rateLimiter } from '../limits/rate-limiter.ts';
import { silentLogger } from '../lib/logger.ts';
import type { PolicyRuntime } from '../policy/runtime.ts';
import { decisionSchema } from '../policy/decision.ts';
import type { Target } from '../routing/target.ts';
import type { Clock } from '../lib/clock.ts';
import { createFakeClock } from '../../test/support/fake-clock.ts';

// Upstreams `limited-*` answer 429 (the first with Retry-After: 7), `down` answers 503, `silent` never answers.
const transport = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const host = new URL(input instanceof Request ? input.url : String(input)).hostname;
  if (host === 'limited-a.test') return new Response(JSON.stringify({ error: { message: 'Rate limit reached', type: 'rate_limit_error' } }), { status: 429, headers: { 'retry-after': '7', 'content-type': 'application/json' } });
  if (host === 'limited-b.test') return new Response(JSON.stringify({ error: { message: 'Too many requests' } }), { status: 429, headers: { 'content-type': 'application/json' } });
  if (host === 'overloaded.test') return new Response(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), { status: 529, headers: { 'content-type': 'application/json' } });
  if (host === 'silent.test') return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
  return new Response('unavailable', { status: 503 });
}) as typeof fetch;

/** A policy that routes every request through `targets`, in order. */
const routeTo = (targets: Target[]): PolicyRuntime => ({
  evaluate: () => ({ decision: decisionSchema.parse({ allowed: true, targets }), decision_id: 'dec', revision: 'rev', eval_us: 0 }),
  revision: () => 'rev',
  reload: async () => ({ ok: true, revision: 'rev' }),
  close: async () => {},
});

function makeApp(targets: Target[], retries = 0, clock?: Clock) {
  const yaml = `
server: { allow_anonymous: true }
providers:
  limited-a: { type: openai-compatible, base_url: http://limited-a.test/v1 }
  limited-b: { type: openai-compatible, base_url: http://limited-b.test/v1 }
  down: { type: openai-compatible, base_url: http://down.test/v1 }
  silent: { type: openai-compatible, base_url: http://silent.test/v1 }
  overloaded: { type: anthropic, base_url: http://overloaded.test, api_key: test-key }
models:
  chat: { provider: limited-a, model: m }
routing:
  retries: { max_retries: ${retries}, backoff_base_ms: 1, backoff_max_ms: 2 }
  timeouts: { ttfb_ms: 50 }
  keys: { rate_limit_cooldown_ms: 20000 }
`;
  const runtime = runtimeHolder(buildRuntime(parseConfig(yaml, 'test.yaml', {}).config, transport));
  return createApp({ runtime, clock, logger: silentLogger, enforce: { logger: silentLogger, limiter: rateLimiter(), policy: routeTo(targets) } });
}

const ask = (app: ReturnType<typeof makeApp>, path = '/v1/chat/completions') =>
  app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'chat', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
  });

test('every target answering 429 → 429 with the shortest Retry-After, in the OpenAI schema', async () => {
  const app = makeApp([{ provider: 'limited-a', model: 'm' }, { provider: 'limited-b', model: 'm' }]);
  const r = await ask(app);
  expect(r.status).toBe(429);
  expect(r.headers.get('retry-after')).toBe('7');
  const j = (await r.json()) as { error: { type: string; code: string; message: string } };
  expect(j.error.type).toBe('rate_limit_error');
  expect(j.error.code).toBe('upstream_rate_limited');
  expect(j.error.message).toContain('limited-a/m: HTTP 429');
  // The keys are now cooling down: the next request is passed over without a call, still 429.
  const again = await ask(app);
  expect(again.status).toBe(429);
  expect(Number(again.headers.get('retry-after'))).toBeLessThanOrEqual(7);
  expect(again.headers.get('x-tollgate-attempts')).toBe('0');
});

test('the Anthropic schema gets a rate_limit_error too', async () => {
  const r = await ask(makeApp([{ provider: 'limited-b', model: 'm' }]), '/v1/messages');
  expect(r.status).toBe(429);
  expect(r.headers.get('retry-after')).toBe('20');
  expect(((await r.json()) as { type: string; error: { type: string } }).error.type).toBe('rate_limit_error');
});

test('a 429 and a 503 → 502: not every target is rate-limited', async () => {
  const r = await ask(makeApp([{ provider: 'limited-a', model: 'm' }, { provider: 'down', model: 'm' }]));
  expect(r.status).toBe(502);
  expect(r.headers.get('retry-after')).toBeNull();
});

test('a timeout on the last target → 504', async () => {
  const r = await ask(makeApp([{ provider: 'down', model: 'm' }, { provider: 'silent', model: 'm' }]));
  expect(r.status).toBe(504);
});

test('an upstream 529 that survives the retries → 529 overloaded_error to Anthropic clients, 503 to OpenAI clients', async () => {
  const targets = [{ provider: 'overloaded', model: 'claude' }];
  const anthropic = await ask(makeApp(targets, 2), '/v1/messages');
  expect(anthropic.status).toBe(529);
  expect(anthropic.headers.get('x-tollgate-attempts')).toBe('3');
  expect(((await anthropic.json()) as { error: { type: string } }).error.type).toBe('overloaded_error');
  const openai = await ask(makeApp(targets, 2));
  expect(openai.status).toBe(503);
  expect(((await openai.json()) as { error: { type: string; code: string } }).error).toMatchObject({ type: 'service_unavailable', code: 'upstream_overloaded' });
});

test('a 429 that survives two retries is still a 429 with Retry-After', async () => {
  // Each retry waits the upstream's Retry-After (7 s) on a clock that jumps when the process is quiet.
  const clock = createFakeClock({ auto: true });
  const r = await ask(makeApp([{ provider: 'limited-a', model: 'm' }], 2, clock), '/v1/messages');
  clock.stop();
  // The second 7 s wait would pass the 10 s retry budget: two attempts, then the 429.
  expect(r.headers.get('x-tollgate-attempts')).toBe('2');
  expect(r.status).toBe(429);
  expect(r.headers.get('retry-after')).toBe('7');
});
