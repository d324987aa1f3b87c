import { GatewayError, type ErrorKind } from '../lib/errors.ts';
import type { PolicyEvaluation } from './engine.ts';

/** Error kinds for the statuses a policy deny usually carries; others keep their status as `forbidden` / `policy_error`. */
const KIND_BY_STATUS: Record<number, ErrorKind> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  429: 'rate_limited',
  503: 'unavailable',
};

export const DECISION_ID_HEADER = 'x-tollgate-decision-id';

/** A policy deny; keeps the decision's reasons for the request log (never sent to the caller). */
export class PolicyDeniedError extends GatewayError {
  constructor(
    kind: ErrorKind,
    message: string,
    readonly reasons: string[],
    opts: ConstructorParameters<typeof GatewayError>[2],
  ) {
    super(kind, message, opts);
  }
}

/**
 * The error to answer a denied request with, or undefined when the request is allowed. A
 * failed evaluation is a `policy_error` (500); an explicit deny keeps the policy's status and
 * message. Either way the decision id travels in a header so the deny can be found in the logs.
 */
export function denyError(evaluation: PolicyEvaluation): GatewayError | undefined {
  const { decision, decision_id, failure } = evaluation;
  if (decision.allowed) return undefined;
  const status = decision.http_status ?? (failure ? 500 : 403);
  const kind: ErrorKind = failure ? 'policy_error' : (KIND_BY_STATUS[status] ?? (status >= 500 ? 'policy_error' : 'forbidden'));
  return new PolicyDeniedError(kind, decision.message ?? 'Denied by policy.', decision.reasons ?? [], {
    status,
    code: failure ? 'policy_error' : 'policy_denied',
    headers: { [DECISION_ID_HEADER]: decision_id },
  });
}
