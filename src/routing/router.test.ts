import { describe, expect, test } from 'bun:test';
import { ConfigError, parseConfig } from '../config/load.ts';
import { apiKeysOf } from '../providers/credentials.ts';
import { createFakeClock } from '../../test/support/fake-clock.ts';
import { createRouter } from './router.ts';
import { routeSettings } from './settings.ts';
import { parseDecision } from '../policy/decision.ts';

const config = (extra = '') =>
  parseConfig(`providers:\n  a: { type: openai-compatible, base_url: http://a.test/v1 }\n  b: { type: openai-compatible, base_url: http://b.test/v1 }\n${extra}`, 'g.yaml', {}).config;

describe('router state', () => {
  test('health per provider: error rate, median time to first byte, ejected means unhealthy', async () => {
    const clock = createFakeClock();
    const router = createRouter({ clock });
    let now = clock.now();
    const cfg = config();
    const d = router.deployment({ provider: 'a', model: 'm' }, cfg.providers.a!);
    for (const ttfb of [100, 300, 200]) d.health.record(now, { failed: false, ttfbMs: ttfb }, 0.3);
    d.health.record(now, { failed: true }, 0.3);
    await clock.advance(1_000);
    now = clock.now();
    expect(router.providerHealth(cfg)).toEqual({ a: { healthy: true, error_rate: 0.25, p50_ms: 200 }, b: { healthy: true, error_rate: 0, p50_ms: null } });
    for (let i = 0; i < 5; i++) d.breaker.failure(now, cfg.routing.breaker, false);
    await clock.advance(1_000);
    now = clock.now();
    expect(router.providerHealth(cfg).a!.healthy).toBe(false);
    // Outside the window the samples no longer count.
    await clock.advance(98_000);
    expect(router.providerHealth(cfg).a).toMatchObject({ error_rate: 0, p50_ms: null });
  });

  test('state survives a reload that keeps the endpoint and starts clean when it changes', () => {
    const router = createRouter();
    const before = config();
    const d = router.deployment({ provider: 'a', model: 'm' }, before.providers.a!);
    d.inflight = 3;
    const same = config('routing: { strategy: latency }\n');
    expect(router.deployment({ provider: 'a', model: 'm' }, same.providers.a!)).toBe(d);
    const moved = parseConfig('providers:\n  a: { type: openai-compatible, base_url: http://a2.test/v1 }\n', 'g.yaml', {}).config;
    expect(router.deployment({ provider: 'a', model: 'm' }, moved.providers.a!).inflight).toBe(0);
  });

  test('the decision overrides the config defaults per request', () => {
    const cfg = config('routing: { timeouts: { ttfb_ms: 5000 }, retries: { max_retries: 1 } }\n').routing;
    expect(routeSettings(cfg)).toMatchObject({ ttfbMs: 5_000, maxRetries: 1, idleMs: 60_000, strategy: 'weighted' });
    const d = parseDecision({ allowed: true, strategy: 'cost', timeouts: { ttfb_ms: 900 }, retries: { max_retries: 0 } });
    expect(d.ok).toBe(true);
    expect(routeSettings(cfg, d.ok ? d.decision : undefined)).toMatchObject({ ttfbMs: 900, maxRetries: 0, strategy: 'cost', totalMs: 180_000 });
    expect(parseDecision({ allowed: true, timeouts: { ttfb: 900 } }).ok).toBe(false);
  });
});

describe('provider keys in config', () => {
  test('api_keys holds several ${ENV} references; api_key and api_keys are exclusive', () => {
    const { config } = parseConfig('providers:\n  o: { type: openai, api_keys: [${K1}, ${K2}] }\n', 'g.yaml', { K1: 'sk-one', K2: 'sk-two' });
    expect(apiKeysOf(config.providers.o!)).toEqual(['sk-one', 'sk-two']);
    const both = () => parseConfig('providers:\n  o: { type: openai, api_key: a, api_keys: [b] }\n', 'g.yaml', {});
    expect(both).toThrow(ConfigError);
    expect(() => parseConfig('providers:\n  o: { type: anthropic }\n', 'g.yaml', {})).toThrow('api_key (or api_keys) is required');
  });
});
