import { describe, expect, test } from 'bun:test';
import { parseConfig } from '../config/load.ts';
import { GatewayError } from '../lib/errors.ts';
import { createFakeClock } from '../../test/support/fake-clock.ts';
import { sseEvents } from '../lib/sse.ts';
import type { ProviderAdapter } from '../providers/types.ts';
import { send } from './attempt.ts';
import { createRouter } from './router.ts';

const config = parseConfig('providers:\n  p: { type: openai-compatible, base_url: http://upstream.test/v1 }\n', 'g.yaml', {}).config.providers.p!;

/** An adapter whose transport is the given function; it records the signal it was given. */
function adapter(transport: (init: RequestInit) => Promise<Response>): ProviderAdapter & { signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  return {
    name: 'p',
    config,
    wire: 'openai',
    signals,
    prepare: async () => ({ url: 'http://upstream.test/v1/chat/completions', init: { method: 'POST', headers: {} } }),
    events: sseEvents,
    fetch: (_url, init) => {
      signals.push(init.signal!);
      return transport(init);
    },
  };
}

const never = () => new Promise<Response>(() => {});
const translator = { error: (status: number, body: string) => new GatewayError('upstream_error', `p returned ${status}: ${body}`) };
const base = { call: { op: 'chat' as const, stream: false, body: {} }, model: 'm', translator, connectMs: 200, ttfbMs: 5_000, idleMs: 5_000, errorBodyBytes: 65_536, clientSignal: new AbortController().signal };

describe('one attempt', () => {
  test('an unreachable host fails at the connect timeout, not at the first-byte timeout', async () => {
    const clock = createFakeClock({ auto: true });
    const router = createRouter({ clock, probe: async () => 'timeout' });
    const a = adapter(never);
    const started = clock.now();
    const r = await send({ ...base, router, adapter: a, deadline: router.now() + 60_000 });
    // The probe starts at half the connect window and reports at once.
    expect(clock.now() - started).toBe(100);
    expect(r.ok).toBe(false);
    expect(r.ok ? undefined : r.failure).toMatchObject({ kind: 'network', error: { code: 'connect_timeout' } });
    expect(a.signals[0]!.aborted).toBe(true);
  });

  test('a reachable but silent host fails at the first-byte timeout with its socket aborted', async () => {
    const clock = createFakeClock({ auto: true });
    const router = createRouter({ clock, probe: async () => true });
    const a = adapter(never);
    const started = clock.now();
    const r = await send({ ...base, ttfbMs: 300, router, adapter: a, deadline: router.now() + 60_000 });
    expect(clock.now() - started).toBe(300);
    expect(r.ok ? undefined : r.failure.kind).toBe('timeout');
    expect(a.signals[0]!.aborted).toBe(true);
  });

  test('the request deadline cuts the first-byte wait short', async () => {
    const clock = createFakeClock({ auto: true });
    const router = createRouter({ clock });
    const r = await send({ ...base, router, adapter: adapter(never), deadline: router.now() + 150 });
    expect(clock.now()).toBe(150);
    expect(r.ok ? undefined : r.failure.error.message).toContain("time limit");
  });

  test('an error answer carries the provider message and its Retry-After', async () => {
    const router = createRouter();
    const a = adapter(async () => new Response('slow down', { status: 429, headers: { 'retry-after': '7' } }));
    const r = await send({ ...base, router, adapter: a, deadline: router.now() + 60_000 });
    expect(r.ok ? undefined : r.failure).toMatchObject({ kind: 'status', status: 429, retryAfterMs: 7_000, error: { message: 'p returned 429: slow down' } });
  });
});
