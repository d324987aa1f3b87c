import type { MiddlewareHandler } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { GatewayError } from '../../lib/errors.ts';

/** The routes whose requests are rows of the ledger. */
const RECORDED = new Set(['/v1/chat/completions', '/v1/messages', '/v1/embeddings']);

/**
 * Fails closed while neither the database nor the journal takes usage rows: a request that
 * could not be recorded is refused (503, Retry-After) before it reaches a provider.
 */
export function ledgerGate(ledger: AppDeps['ledger'], { retryAfterS = 2 } = {}): MiddlewareHandler<Env> {
  return async function ledgerGate(c, next) {
    if (ledger && c.req.method === 'POST' && RECORDED.has(c.req.path) && !ledger.accepting()) {
      throw new GatewayError('unavailable', 'The usage ledger cannot record requests right now (database and journal both refuse writes); retry later.', {
        code: 'ledger_unavailable',
        headers: { 'retry-after': String(retryAfterS) },
      });
    }
    await next();
  };
}
