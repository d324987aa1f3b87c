import { Hono } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { isMasterKey } from '../middleware/admin-auth.ts';
import { isValidKey, presentedKey } from '../middleware/auth.ts';

/**
 * Liveness and readiness. /readyz fails (503, `draining`) as soon as shutdown begins. To a
 * caller with the master key or a valid client key it also shows the requests in flight
 * (itself included) and each provider's health as the router sees it; anyone else learns only
 * ready or not, since provider names and health tell an outsider where traffic goes.
 */
export function healthRoute(deps: AppDeps) {
  return new Hono<Env>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const ready = deps.ready?.() ?? true;
      const runtime = c.get('runtime');
      const key = presentedKey(c.req.raw.headers);
      // A key that cannot be checked (the database is down) gets the short answer, not an error.
      const detail = !!key && (isMasterKey(key) || (await isValidKey(runtime, deps.keys, key).catch(() => false)));
      if (!detail) return c.json({ status: ready ? 'ready' : 'draining' }, ready ? 200 : 503);
      const providers = [...runtime.adapters.keys()];
      const health = deps.router?.providerHealth(runtime.config) ?? {};
      return c.json({ status: ready ? 'ready' : 'draining', providers, inflight: deps.drain?.inflight() ?? null, health }, ready ? 200 : 503);
    });
}
