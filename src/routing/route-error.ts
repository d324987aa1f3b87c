import type { GatewayConfig } from '../config/schema.ts';
import { GatewayError, UPSTREAM_OVERLOADED, type ErrorKind } from '../lib/errors.ts';
import { apiKeysOf } from '../providers/credentials.ts';
import type { Attempt } from './target.ts';

/** A routing failure that remembers its attempts, for the ledger and the headers. */
export class RouteError extends GatewayError {
  constructor(
    kind: ErrorKind,
    message: string,
    readonly attempts: Attempt[],
    opts: { status?: number; code?: string; param?: string; retryAfterMs?: number } = {},
  ) {
    const retryAfter: Record<string, string> = opts.retryAfterMs === undefined ? {} : { 'retry-after': String(Math.max(1, Math.ceil(opts.retryAfterMs / 1000))) };
    super(kind, message, { ...opts, headers: { 'x-tollgate-attempts': String(attempts.length), ...retryAfter } });
  }
}

/** The caller's error as-is (a 400 the request caused), with the attempts behind it. */
export function relayed(err: GatewayError, attempts: Attempt[], secrets: string[]): RouteError {
  return new RouteError(err.kind, scrub(err.message, secrets), attempts, { status: err.status, code: err.code, param: err.param });
}

/**
 * Every target failed: one 502 (504 when the last attempt timed out) listing each attempt's outcome and each target passed over,
 * with anything that looks like a credential removed. When every target was rate-limited
 * (`rateLimitedMs`: the shortest wait they asked for) it is a 429 with Retry-After instead, so
 * clients back off as they would against the provider itself.
 */
export function exhausted(attempts: Attempt[], skipped: string[], last: GatewayError | undefined, secrets: string[], rateLimitedMs?: number): RouteError {
  const tried = attempts.map((a) => `${a.provider}/${a.model}${a.key ? ` (key ${a.key})` : ''}: ${outcome(a)}`);
  const parts = [
    attempts.length ? `${attempts.length === 1 ? 'The attempt' : `All ${attempts.length} attempts`} failed: ${tried.join('; ')}.` : 'No target could be tried.',
    skipped.length ? `Passed over: ${skipped.join('; ')}.` : '',
  ];
  const message = scrub(parts.filter(Boolean).join(' '), secrets);
  if (rateLimitedMs !== undefined) return new RouteError('rate_limited', `Every target is rate-limited upstream. ${message}`, attempts, { status: 429, code: 'upstream_rate_limited', retryAfterMs: rateLimitedMs });
  // Anthropic's 529 "overloaded" on every attempt: a 503 to OpenAI clients, and a 529 again to
  // Anthropic clients (render-error.ts), whose SDKs treat it as overload rather than a gateway fault.
  if (attempts.length && attempts.every((a) => a.status === 529)) return new RouteError('unavailable', `Every target is overloaded upstream. ${message}`, attempts, { code: UPSTREAM_OVERLOADED });
  const kind: ErrorKind = last?.kind === 'upstream_timeout' || last?.kind === 'upstream_invalid' ? last.kind : 'upstream_error';
  return new RouteError(kind, message, attempts, { status: kind === 'upstream_timeout' ? 504 : 502 });
}

function outcome(a: Attempt): string {
  const what = typeof a.status === 'number' ? `HTTP ${a.status}` : a.status.replace('_', ' ');
  return `${what} after ${a.ms} ms${a.error ? ` (${a.error.slice(0, 200)})` : ''}`;
}

const TOKEN_LIKE = [/\b(sk|pk|rk)-[A-Za-z0-9_*.-]{6,}/g, /\bAIza[0-9A-Za-z_-]{10,}/g, /\bAKIA[0-9A-Z]{12,}/g, /\bBearer\s+[^\s,;"']+/gi, /\bx-api-key[:=]\s*[^\s,;"']+/gi];

/** Removes configured secrets and token-shaped strings from a message. */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join('[redacted]');
  for (const re of TOKEN_LIKE) out = out.replace(re, '[redacted]');
  return out;
}

/** Every credential in the config, so that no error can echo one. */
export function secretsOf(config: GatewayConfig): string[] {
  const out: string[] = [];
  for (const p of Object.values(config.providers)) {
    out.push(...apiKeysOf(p));
    if (p.type === 'bedrock') out.push(p.access_key_id, p.secret_access_key, ...(p.session_token ? [p.session_token] : []));
  }
  return out;
}
