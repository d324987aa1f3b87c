import type { MiddlewareHandler } from 'hono';
import { GatewayError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Env } from '../context.ts';
import { getCookie } from 'hono/cookie';
import { CSRF_HEADER, UI_SESSION_COOKIE, type UiSessions } from '../ui-sessions.ts';

export interface AdminAuthOptions {
  /** Read on every request, so tests (and operators) can set or clear it without a restart. */
  masterKey?: () => string | undefined;
  logger?: Logger;
  /** Dashboard sessions: a session cookie stands in for the key; a state-changing call also needs the session's CSRF header. */
  sessions?: UiSessions;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const digest = (s: string) => new Bun.CryptoHasher('sha256').update(s).digest();
// Bun's global crypto.timingSafeEqual: importing node:crypto for it costs every start ~5 ms.
const timingSafeEqual = (a: Uint8Array, b: Uint8Array): boolean => crypto.timingSafeEqual(a, b);

/** Whether two secrets are equal, in constant time (both are hashed first, so the length does not leak either). */
export const sameSecret = (a: string, b: string): boolean => !!a && !!b && timingSafeEqual(digest(a), digest(b));

/** Whether `given` is the master key (constant time; false when the admin API is off). */
export function isMasterKey(given: string, master = process.env.TOLLGATE_MASTER_KEY): boolean {
  return !!master && !!given && timingSafeEqual(digest(given), digest(master));
}

/**
 * Guards the admin API with `Authorization: Bearer <master key>`. Without TOLLGATE_MASTER_KEY
 * the admin API is off. Both sides are hashed before a constant-time compare, so neither the
 * length nor the content of the master key leaks through timing; the key is never logged.
 */
export function adminAuth({ masterKey = () => process.env.TOLLGATE_MASTER_KEY, logger, sessions }: AdminAuthOptions = {}): MiddlewareHandler<Env> {
  return async function authenticateAdmin(c, next) {
    const master = masterKey();
    if (!master) throw new GatewayError('unauthorized', 'The admin API is disabled: set TOLLGATE_MASTER_KEY to enable it.', { code: 'admin_disabled' });
    const header = c.req.header('authorization') ?? '';
    const given = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
    const session = !given && sessions ? sessions.get(getCookie(c, UI_SESSION_COOKIE), master) : undefined;
    if (session) {
      const csrf = c.req.header(CSRF_HEADER) ?? '';
      if (!SAFE_METHODS.has(c.req.method) && !sameSecret(csrf, session.csrf)) {
        throw new GatewayError('forbidden', `A dashboard session changes things only with its ${CSRF_HEADER} header.`, { code: 'csrf_required' });
      }
      c.header('cache-control', 'no-store');
      return next();
    }
    if (!given || !timingSafeEqual(digest(given), digest(master))) {
      logger?.warn('admin request refused', { request_id: c.get('requestId'), method: c.req.method, path: c.req.path, reason: given ? 'wrong master key' : 'no master key' });
      throw new GatewayError('unauthorized', 'Invalid or missing master key. Send it as "Authorization: Bearer <master key>".', { code: 'invalid_master_key' });
    }
    c.header('cache-control', 'no-store');
    await next();
  };
}
