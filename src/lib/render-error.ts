import { UPSTREAM_OVERLOADED, type GatewayError, type ErrorKind } from './errors.ts';

/** The caller's error schema, chosen by the route it called (`responses`: OpenAI's, with the Responses stream's error event). */
export type ClientSchema = 'openai' | 'anthropic' | 'responses';

const OPENAI_TYPE: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  unauthorized: 'authentication_error',
  forbidden: 'permission_error',
  not_found: 'not_found_error',
  payload_too_large: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  budget_exceeded: 'insufficient_quota',
  policy_error: 'server_error',
  upstream_error: 'upstream_error',
  upstream_invalid: 'upstream_error',
  upstream_timeout: 'timeout_error',
  unavailable: 'service_unavailable',
  internal: 'server_error',
};

const ANTHROPIC_TYPE: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  unauthorized: 'authentication_error',
  forbidden: 'permission_error',
  not_found: 'not_found_error',
  payload_too_large: 'request_too_large',
  rate_limited: 'rate_limit_error',
  budget_exceeded: 'rate_limit_error',
  policy_error: 'api_error',
  upstream_error: 'api_error',
  upstream_invalid: 'api_error',
  upstream_timeout: 'timeout_error',
  unavailable: 'overloaded_error',
  internal: 'api_error',
};

/**
 * The HTTP status in the caller's schema. Anthropic has a status of its own for overload (529);
 * an upstream 529 on every attempt goes back to Anthropic clients as one.
 */
export function errorStatus(err: GatewayError, schema: ClientSchema): number {
  return schema === 'anthropic' && err.code === UPSTREAM_OVERLOADED ? 529 : err.status;
}

/** The JSON error body in the caller's schema. */
export function errorBody(err: GatewayError, schema: ClientSchema): Record<string, unknown> {
  if (schema === 'anthropic') {
    return { type: 'error', error: { type: ANTHROPIC_TYPE[err.kind], message: err.message } };
  }
  return {
    error: {
      message: err.message,
      type: OPENAI_TYPE[err.kind],
      param: err.param ?? null,
      code: err.code ?? (err.kind === 'not_found' && err.param === 'model' ? 'model_not_found' : null),
    },
  };
}

/**
 * One SSE frame that ends a stream in error, in the caller's schema. On the Responses stream it
 * takes the next `sequence_number` after the last event sent (0 when none was).
 */
export function errorEvent(err: GatewayError, schema: ClientSchema, sequenceNumber = 0): string {
  if (schema === 'responses') {
    // The Responses stream's `error` event ({type, code, message, param, sequence_number}); `error` too, which the OpenAI SDKs raise from.
    const e = errorBody(err, schema).error as Record<string, unknown>;
    return `event: error\ndata: ${JSON.stringify({ type: 'error', code: e.code ?? e.type, message: e.message, param: e.param, sequence_number: sequenceNumber, error: e })}\n\n`;
  }
  const body = JSON.stringify(errorBody(err, schema));
  return schema === 'anthropic' ? `event: error\ndata: ${body}\n\n` : `data: ${body}\n\n`;
}
