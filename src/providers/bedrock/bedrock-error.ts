import { GatewayError } from '../../lib/errors.ts';

/**
 * A Bedrock exception delivered inside a 200 response (an event-stream `exception` frame). The
 * HTTP status has already gone out, so the kind only decides how the gateway reports it.
 */
export function streamException(provider: string, type: string, message: string | undefined): GatewayError {
  const text = `${provider} stream error (${type})${message ? `: ${message.slice(0, 500)}` : ''}`;
  const kind = /^throttling/i.test(type) ? 'rate_limited' : 'upstream_error';
  return new GatewayError(kind, text, { code: type });
}
