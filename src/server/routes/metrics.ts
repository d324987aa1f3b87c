import { Hono } from 'hono';
import { GatewayError } from '../../lib/errors.ts';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { isMasterKey } from '../middleware/admin-auth.ts';
import { presentedKey } from '../middleware/auth.ts';

/**
 * GET /metrics, the Prometheus text exposition, for a caller presenting `metrics.token` or the
 * master key as a bearer token. Without either configured it is refused (403) rather than
 * open: spend by team and provider health are not for anyone who can reach the port.
 */
export function metricsRoute(deps: AppDeps) {
  return new Hono<Env>().get('/metrics', async (c) => {
    const cfg = c.get('runtime').config.metrics;
    if (!cfg.enabled || !deps.metrics) throw new GatewayError('not_found', 'Metrics are off (metrics.enabled: false).');
    const master = process.env.TOLLGATE_MASTER_KEY;
    if (!cfg.token && !master) throw new GatewayError('forbidden', 'Set metrics.token (or TOLLGATE_MASTER_KEY) to read /metrics, and send it as "Authorization: Bearer <token>".', { code: 'metrics_token_unset' });
    const given = presentedKey(c.req.raw.headers) ?? '';
    if (!given || !(isMasterKey(given, cfg.token) || isMasterKey(given, master))) {
      deps.logger.warn('metrics request refused', { request_id: c.get('requestId'), reason: given ? 'wrong token' : 'no token' });
      throw new GatewayError('unauthorized', 'Invalid or missing metrics token. Send metrics.token or the master key as "Authorization: Bearer <token>".', { code: 'invalid_metrics_token' });
    }
    return c.body(await deps.metrics.render(), 200, { 'content-type': deps.metrics.contentType, 'cache-control': 'no-store' });
  });
}
