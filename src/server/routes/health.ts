import { Hono } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';

/**
 * Liveness and readiness. /readyz fails (503, `draining`) as soon as shutdown begins, and shows
 * the requests in flight (itself included), each provider's health as the router sees it, and the
 * ledger's (backlog, journal bytes, last error); it fails (`ledger_unavailable`) while the ledger
 * can take no rows.
 */
export function healthRoute(deps: AppDeps) {
  return new Hono<Env>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', (c) => {
      const draining = !(deps.ready?.() ?? true);
      const ledger = deps.ledger?.health();
      const ready = !draining && (deps.ledger?.accepting() ?? true);
      const runtime = c.get('runtime');
      const providers = [...runtime.adapters.keys()];
      const health = deps.router?.providerHealth(runtime.config) ?? {};
      const status = draining ? 'draining' : ready ? 'ready' : 'ledger_unavailable';
      return c.json({ status, providers, inflight: deps.drain?.inflight() ?? null, health, ...(ledger ? { ledger } : {}) }, ready ? 200 : 503);
    });
}
