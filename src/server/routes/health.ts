import { Hono } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';

/** Liveness and readiness. /readyz fails as soon as shutdown begins. */
export function healthRoute(deps: AppDeps) {
  return new Hono<Env>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', (c) => {
      const ready = deps.ready?.() ?? true;
      const providers = [...c.get('runtime').adapters.keys()];
      return c.json({ status: ready ? 'ready' : 'draining', providers }, ready ? 200 : 503);
    });
}
