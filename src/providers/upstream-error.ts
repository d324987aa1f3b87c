import { GatewayError } from '../lib/errors.ts';

/**
 * Maps an upstream HTTP failure to a GatewayError. The provider's message is kept (it tells the
 * caller what was wrong with their request); credentials never appear in provider messages we
 * forward because we only take the `message` field, truncated.
 */
export function upstreamError(provider: string, status: number, message: string | undefined, code?: string): GatewayError {
  const msg = `${provider} returned ${status}${message ? `: ${message.slice(0, 500)}` : ''}`;
  if (status === 400 || status === 422) return new GatewayError('invalid_request', msg, { code, status: 400 });
  if (status === 404) return new GatewayError('not_found', msg, { code });
  if (status === 413) return new GatewayError('payload_too_large', msg, { code });
  if (status === 429) return new GatewayError('rate_limited', msg, { code });
  if (status === 401 || status === 403) {
    // The gateway's provider credentials failed: the caller did nothing wrong.
    return new GatewayError('upstream_error', `${provider} rejected the gateway's credentials (${status})`, { code });
  }
  if (status === 504 || status === 408) return new GatewayError('upstream_timeout', msg, { code });
  return new GatewayError('upstream_error', msg, { code });
}

/** Pulls a message out of the common error envelopes ({error:{message}}, {message}, {error:"..."}). */
export function extractMessage(body: string): { message?: string; code?: string } {
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    const e = (Array.isArray(j) ? j[0]?.error : j.error) as unknown;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      return { message: str(o.message), code: str(o.code) ?? str(o.type) ?? str(o.status) };
    }
    if (typeof e === 'string') return { message: e };
    return { message: str(j.message) ?? str(j.Message), code: str(j.type) ?? str(j.__type) };
  } catch {
    return { message: body.trim() ? body.trim().slice(0, 200) : undefined };
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** The GatewayError for an in-stream `{error: …}` chunk of an OpenAI-wire stream; undefined for any other chunk. */
export function streamChunkError(chunk: Record<string, unknown>, provider: string): GatewayError | undefined {
  if (!chunk.error) return undefined;
  const { message, code } = extractMessage(JSON.stringify(chunk));
  return new GatewayError('upstream_error', `${provider} stream error: ${message ?? 'unknown'}`, { code });
}

/** The `error(status, body)` every translator has: the provider's message, in a GatewayError. */
export function providerError(provider: string) {
  return (status: number, body: string): GatewayError => {
    const { message, code } = extractMessage(body);
    return upstreamError(provider, status, message, code);
  };
}
