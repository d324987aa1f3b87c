import type { MiddlewareHandler } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { GatewayError } from '../../lib/errors.ts';

/**
 * The POST routes under /v1 that write no ledger row (they count tokens, nothing reaches a model).
 * Every other POST is gated: a new endpoint is refused while the ledger cannot record, unless it
 * is listed here (a list of what records had missed /v1/completions and /v1/responses).
 */
const UNRECORDED = new Set(['/v1/messages/count_tokens', '/v1/responses/input_tokens']);

/**
 * Fails closed while neither the database nor the journal takes usage rows: a request that
 * could not be recorded is refused (503, Retry-After) before it reaches a provider.
 */
export function ledgerGate(ledger: AppDeps['ledger'], { retryAfterS = 2 } = {}): MiddlewareHandler<Env> {
  return async function ledgerGate(c, next) {
    if (ledger && c.req.method === 'POST' && !UNRECORDED.has(c.req.path) && !ledger.accepting()) {
      throw new GatewayError('unavailable', 'The usage ledger cannot record requests right now (database and journal both refuse writes); retry later.', {
        code: 'ledger_unavailable',
        headers: { 'retry-after': String(retryAfterS) },
      });
    }
    await next();
  };
}
