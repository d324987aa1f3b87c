/**
 * The one error type. Every failure that reaches a caller is a GatewayError with a kind;
 * the kind decides the HTTP status (STATUS) and the error type names in both client schemas.
 */
export type ErrorKind =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'payload_too_large'
  | 'rate_limited'
  | 'budget_exceeded'
  | 'policy_error'
  | 'upstream_error'
  | 'upstream_invalid'
  | 'upstream_timeout'
  | 'unavailable'
  | 'internal';

export const STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
  budget_exceeded: 429,
  policy_error: 500,
  upstream_error: 502,
  upstream_invalid: 502,
  upstream_timeout: 504,
  unavailable: 503,
  internal: 500,
};

/** The code of the error when every attempt was answered 529 (Anthropic's "overloaded"). */
export const UPSTREAM_OVERLOADED = 'upstream_overloaded';

export interface GatewayErrorOptions {
  /** The request parameter at fault, e.g. `messages[0].content`. */
  param?: string;
  /** Overrides the status from STATUS, e.g. an upstream 4xx relayed to the caller. */
  status?: number;
  /** A provider-specific code kept for the caller (`context_length_exceeded`). */
  code?: string;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly kind: ErrorKind;
  readonly param?: string;
  readonly status: number;
  readonly code?: string;
  readonly headers?: Record<string, string>;

  constructor(kind: ErrorKind, message: string, opts: GatewayErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GatewayError';
    this.kind = kind;
    this.param = opts.param;
    this.status = opts.status ?? STATUS[kind];
    this.code = opts.code;
    this.headers = opts.headers;
  }
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}

/** Wraps anything thrown into a GatewayError without leaking internals to the caller. */
export function toGatewayError(e: unknown): GatewayError {
  if (e instanceof GatewayError) return e;
  // A GatewayError wrapped by a library (drizzle's "Failed query") keeps its meaning.
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) if (c instanceof GatewayError) return c;
  if (e instanceof Error && e.name === 'AbortError') return new GatewayError('upstream_timeout', 'The request was aborted.');
  return new GatewayError('internal', 'Internal gateway error.', { cause: e });
}
