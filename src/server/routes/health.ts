import { Hono } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';

/**
 * Liveness and readiness. /readyz fails (503, `draining`) as soon as shutdown begins, and shows
 * the requests in flight (itself included) and each provider's health as the router sees it.
 */
export function healthRoute(deps: AppDeps) {
  return new Hono<Env>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', (c) => {
      const ready = deps.ready?.() ?? true;
      const runtime = c.get('runtime');
      const providers = [...runtime.adapters.keys()];
      const health = deps.router?.providerHealth(runtime.config) ?? {};
      return c.json({ status: ready ? 'ready' : 'draining', providers, inflight: deps.drain?.inflight() ?? null, health }, ready ? 200 : 503);
    });
}
