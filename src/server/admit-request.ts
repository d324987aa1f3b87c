import type { Context } from 'hono';
import { admit, type Admission } from '../enforce/admit.ts';
import { toGatewayError } from '../lib/errors.ts';
import { PolicyDeniedError } from '../policy/deny.ts';
import type { RequestBody } from '../policy/input.ts';
import type { Env } from './context.ts';
import type { AppDeps } from './deps.ts';
import { settle } from './settle.ts';

/**
 * Runs admission for a route. A refusal (unknown model, policy deny, rate limit, budget) is
 * recorded in the ledger with its reason and decision id before it is thrown to the renderer.
 */
export async function admitRequest<B extends RequestBody>(c: Context<Env>, deps: AppDeps, request: B, kind: 'chat' | 'embeddings', stream: boolean): Promise<Admission<B>> {
  try {
    return await admit(deps.enforce!, {
      runtime: c.get('runtime'),
      principal: c.get('principal'),
      requestId: c.get('requestId'),
      request,
      headers: c.req.raw.headers,
      clientIp: () => deps.clientIp?.(c.req.raw),
      kind,
    });
  } catch (e) {
    const err = toGatewayError(e);
    settle(
      { c, deps, endpoint: request.endpoint, requestedModel: request.body.model, stream },
      { status: err.status, outcome: err.kind, attempts: [], errorMessage: err.message, decisionId: err.headers?.['x-tollgate-decision-id'], reasons: e instanceof PolicyDeniedError ? e.reasons : undefined },
    );
    throw err;
  }
}
