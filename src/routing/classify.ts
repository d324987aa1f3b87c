import type { GatewayError } from '../lib/errors.ts';

/** How one attempt failed, in HTTP terms only (the router knows no wire format). */
export interface Failure {
  kind: 'status' | 'network' | 'timeout' | 'invalid';
  /** The upstream status, for kind 'status'. */
  status?: number;
  error: GatewayError;
  retryAfterMs?: number;
}

/**
 * What the router does next:
 *   retry      the same target again after a backoff (429, 5xx, 529, network, broken response)
 *   key        another of the provider's keys, else the next target (401, 403)
 *   next       the next target without retrying this one (timeouts, 404 and other 4xx)
 *   stop       give the error to the caller (400, 413, 422: the request itself is wrong)
 *   context_length / content_policy
 *              never retried on the same model; the decision's fallbacks for that class, if any
 * `breaker` marks failures that count against the deployment's health.
 */
export type Action = 'retry' | 'key' | 'next' | 'stop' | 'context_length' | 'content_policy';

export interface Verdict {
  action: Action;
  breaker: boolean;
}

const TRANSIENT = new Set([408, 429, 500, 502, 503, 504, 529]);

export function classify(f: Failure): Verdict {
  if (f.kind === 'network' || f.kind === 'invalid') return { action: 'retry', breaker: true };
  // A timeout costs a whole timeout period: try another target first.
  if (f.kind === 'timeout') return { action: 'next', breaker: true };
  const status = f.status ?? 0;
  if (status === 429) return { action: 'retry', breaker: false };
  if (TRANSIENT.has(status)) return { action: 'retry', breaker: true };
  if (status === 401 || status === 403) return { action: 'key', breaker: false };
  if (status === 400 || status === 413 || status === 422) {
    const special = errorClass(f.error);
    return { action: special ?? 'stop', breaker: false };
  }
  if (status >= 500) return { action: 'next', breaker: true };
  return { action: 'next', breaker: false };
}

const CONTEXT_CODES = new Set(['context_length_exceeded', 'string_above_max_length', 'model_context_window_exceeded']);
const POLICY_CODES = new Set(['content_policy_violation', 'content_filter', 'responsible_ai_policy_violation', 'safety']);
const CONTEXT_TEXT = /context (length|window)|maximum context|prompt is too long|input is too long|too many (input )?tokens|exceeds? (the )?(model'?s? )?(maximum|max|context)/i;
const POLICY_TEXT = /content (management )?polic|content filter|safety (system|filter|settings)|flagged by|usage polic/i;

/** Context-length and content-policy refusals, by the provider's error code, else its message. */
export function errorClass(e: GatewayError): 'context_length' | 'content_policy' | undefined {
  const code = e.code?.toLowerCase();
  if (code && CONTEXT_CODES.has(code)) return 'context_length';
  if (code && POLICY_CODES.has(code)) return 'content_policy';
  if (CONTEXT_TEXT.test(e.message)) return 'context_length';
  if (POLICY_TEXT.test(e.message)) return 'content_policy';
  return undefined;
}
