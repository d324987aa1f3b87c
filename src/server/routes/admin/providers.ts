import { Hono } from 'hono';
import { providerLedgerStats } from '../../../store/request-log.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';

const HOUR_MS = 3_600_000;

/**
 * `GET /admin/providers`: each configured provider's health as the router sees it (this instance,
 * over routing.health.window_ms), each deployment's breaker, in-flight count and error rate, and
 * the last hour from the ledger (every instance): requests, errors, average and worst latency.
 */
export function adminProvidersRoute(deps: AppDeps) {
  return new Hono<Env>().get('/admin/providers', async (c) => {
    const { config } = c.get('runtime');
    const router = deps.router;
    const health = router?.providerHealth(config) ?? {};
    const deployments = router?.deployments(config.routing.health.window_ms) ?? [];
    const now = deps.clock?.wall() ?? Date.now();
    const ledger = deps.store ? await providerLedgerStats(deps.store, now - HOUR_MS) : [];
    return c.json({
      object: 'list',
      window_ms: config.routing.health.window_ms,
      data: Object.entries(config.providers).map(([name, p]) => {
        const l = ledger.find((s) => s.provider === name);
        return {
          name,
          type: p.type,
          healthy: health[name]?.healthy ?? true,
          error_rate: health[name]?.error_rate ?? 0,
          p50_ms: health[name]?.p50_ms ?? null,
          deployments: deployments.filter((d) => d.provider === name).map((d) => ({ model: d.model, breaker: d.breaker, inflight: d.inflight, error_rate: Math.round(d.error_rate * 1000) / 1000 })),
          last_hour: { requests: l?.requests ?? 0, errors: l?.errors ?? 0, avg_latency_ms: l?.avgLatencyMs ?? null, max_latency_ms: l?.maxLatencyMs ?? null },
        };
      }),
    });
  });
}
