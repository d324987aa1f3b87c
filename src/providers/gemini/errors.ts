import { GatewayError } from '../../lib/errors.ts';
import { upstreamError } from '../upstream-error.ts';

/** Google's error envelope: `{error: {code, message, status, details}}` (an array of it on JSON streams). */
interface GoogleError {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  details?: unknown;
}

/**
 * An upstream non-2xx from Gemini → GatewayError. Google reports some gateway-side problems as
 * 400s, which must not be blamed on the caller: an invalid API key (400 API_KEY_INVALID) and an
 * unsupported server location or missing billing (400 FAILED_PRECONDITION).
 */
export function geminiHttpError(provider: string, status: number, body: string): GatewayError {
  const e = readGoogleError(body);
  const message = typeof e?.message === 'string' ? e.message : nonHtml(body);
  const code = typeof e?.status === 'string' ? e.status : undefined;
  if (status === 400 && reasons(e).includes('API_KEY_INVALID')) {
    return new GatewayError('upstream_error', `${provider} rejected the gateway's credentials (400 API_KEY_INVALID)`, { code });
  }
  if (status === 400 && code === 'FAILED_PRECONDITION') {
    return new GatewayError('upstream_error', `${provider} returned 400: ${(message ?? '').slice(0, 500)}`, { code });
  }
  const err = upstreamError(provider, status, message, code);
  const delay = retryDelaySeconds(e);
  if (delay === undefined) return err;
  return new GatewayError(err.kind, err.message, { code: err.code, status: err.status, headers: { 'retry-after': String(delay) } });
}

/** An error envelope inside a 2xx body (a stream broken off, or a proxy relaying it): an upstream failure, whatever its code says. */
export function errorInBody(provider: string, data: unknown): GatewayError {
  const e = (data as { error?: GoogleError }).error;
  const message = typeof e?.message === 'string' ? e.message : 'unknown error';
  const code = typeof e?.status === 'string' ? e.status : undefined;
  return new GatewayError('upstream_error', `${provider} failed mid-response: ${message.slice(0, 500)}`, { code });
}

function readGoogleError(body: string): GoogleError | undefined {
  try {
    const j = JSON.parse(body) as unknown;
    const first = Array.isArray(j) ? (j[0] as unknown) : j;
    const e = (first as { error?: unknown } | null)?.error;
    return e && typeof e === 'object' ? (e as GoogleError) : undefined;
  } catch {
    return undefined;
  }
}

function details(e: GoogleError | undefined): Record<string, unknown>[] {
  return Array.isArray(e?.details) ? (e.details.filter((d) => d && typeof d === 'object') as Record<string, unknown>[]) : [];
}

function reasons(e: GoogleError | undefined): string[] {
  return details(e).flatMap((d) => (typeof d.reason === 'string' ? [d.reason] : []));
}

/** `RetryInfo.retryDelay` ("34.4s") in whole seconds, rounded up, for a Retry-After header. */
function retryDelaySeconds(e: GoogleError | undefined): number | undefined {
  for (const d of details(e)) {
    if (typeof d.retryDelay !== 'string') continue;
    const m = /^(\d+(?:\.\d+)?)s$/.exec(d.retryDelay);
    if (m) return Math.max(1, Math.ceil(Number(m[1])));
  }
  return undefined;
}

/** A short plain-text body is worth relaying; Google's HTML error pages are not. */
function nonHtml(body: string): string | undefined {
  const t = body.trim();
  if (!t || t.startsWith('<')) return undefined;
  return t.slice(0, 200);
}
