import { Hono } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { isMasterKey } from '../middleware/admin-auth.ts';
import { isValidKey, presentedKey } from '../middleware/auth.ts';

/**
 * Liveness and readiness. /readyz fails (503, `draining`) as soon as shutdown begins, and
 * (`ledger_unavailable`) while the ledger can take no rows. To a caller with the master key or a
 * valid client key it also shows the requests in flight (itself included), each provider's
 * health as the router sees it, the ledger's (backlog, journal bytes, last error) and the decision
 * log's (written, sampled out, dropped); anyone else learns only the status, since provider
 * names, health and paths tell an outsider too much.
 */
export function healthRoute(deps: AppDeps) {
  return new Hono<Env>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const draining = !(deps.ready?.() ?? true);
      const ledger = deps.ledger?.health();
      const ready = !draining && (deps.ledger?.accepting() ?? true);
      const status = draining ? 'draining' : ready ? 'ready' : 'ledger_unavailable';
      const runtime = c.get('runtime');
      const key = presentedKey(c.req.raw.headers);
      // A key that cannot be checked (the database is down) gets the short answer, not an error.
      const detail = !!key && (isMasterKey(key) || (await isValidKey(runtime, deps.keys, key).catch(() => false)));
      if (!detail) return c.json({ status }, ready ? 200 : 503);
      const providers = [...runtime.adapters.keys()];
      const health = deps.router?.providerHealth(runtime.config) ?? {};
      const decisions = deps.enforce?.decisions?.stats();
      return c.json({ status, providers, inflight: deps.drain?.inflight() ?? null, health, ...(ledger ? { ledger } : {}), ...(decisions ? { decision_log: decisions } : {}) }, ready ? 200 : 503);
    });
}
