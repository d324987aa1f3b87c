import { Hono } from 'hono';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';

/** `GET /admin/providers`: each configured provider's health, and each deployment's breaker, in-flight count and error rate. */
export function adminProvidersRoute(deps: AppDeps) {
  return new Hono<Env>().get('/admin/providers', (c) => {
    const { config } = c.get('runtime');
    const router = deps.router;
    const health = router?.providerHealth(config) ?? {};
    const deployments = router?.deployments(config.routing.health.window_ms) ?? [];
    return c.json({
      object: 'list',
      window_ms: config.routing.health.window_ms,
      data: Object.entries(config.providers).map(([name, p]) => ({
        name,
        type: p.type,
        healthy: health[name]?.healthy ?? true,
        error_rate: health[name]?.error_rate ?? 0,
        p50_ms: health[name]?.p50_ms ?? null,
        deployments: deployments.filter((d) => d.provider === name).map((d) => ({ model: d.model, breaker: d.breaker, inflight: d.inflight, error_rate: Math.round(d.error_rate * 1000) / 1000 })),
      })),
    });
  });
}
