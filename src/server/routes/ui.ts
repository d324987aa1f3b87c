import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { GatewayError } from '../../lib/errors.ts';
import { UI_ASSETS } from '../../ui/assets.ts';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { isMasterKey, sameSecret } from '../middleware/admin-auth.ts';
import { CSRF_HEADER, UI_SESSION_COOKIE, uiSessions, type UiSessions } from '../ui-sessions.ts';
import { readAdminBody } from './admin/input.ts';
import { auditAdmin, dashboardActor } from './admin/audit-trail.ts';
import { loginThrottle, type LoginThrottle } from '../login-throttle.ts';

/** Only this origin's own script and style; no inline code, no frames, no other hosts. */
export const UI_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const SECURITY_HEADERS = { 'content-security-policy': UI_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };

const jsPath = `/ui/assets/app-${UI_ASSETS.hash}.js`;
const cssPath = `/ui/assets/app-${UI_ASSETS.hash}.css`;
const shell = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Tollgate</title><link rel="stylesheet" href="${cssPath}"></head><body><div id="app"></div><script type="module" src="${jsPath}"></script></body></html>`;

const loginBody = z.strictObject({ key: z.string().min(1).max(4096) });

/**
 * The dashboard at /ui: one HTML shell and its script and style, embedded in the binary (no CDN).
 * POST /ui/login trades the master key for a session cookie (HttpOnly, SameSite=Strict, a random
 * id held in memory); the page then calls the admin API with that cookie, and with the session's
 * CSRF token in a header for anything that changes state. Without TOLLGATE_MASTER_KEY it is off.
 */
export function uiRoute(deps: AppDeps, throttle: LoginThrottle = loginThrottle()) {
  const sessions: UiSessions = deps.uiSessions ?? uiSessions();
  const master = () => process.env.TOLLGATE_MASTER_KEY;
  const html = (body: string) => new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS } });
  const asset = (body: string, type: string) => new Response(body, { headers: { 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable', ...SECURITY_HEADERS } });
  return new Hono<Env>()
    .get('/ui', () => html(shell))
    .get('/ui/', () => html(shell))
    .get(jsPath, () => asset(UI_ASSETS.js, 'text/javascript; charset=utf-8'))
    .get(cssPath, () => asset(UI_ASSETS.css, 'text/css; charset=utf-8'))
    .post('/ui/login', async (c) => {
      const key = master();
      if (!key) throw new GatewayError('unauthorized', 'The dashboard is disabled: set TOLLGATE_MASTER_KEY to enable it.', { code: 'admin_disabled' });
      if (!(c.req.header('content-type') ?? '').startsWith('application/json')) throw new GatewayError('invalid_request', 'Send the login as JSON: {"key": "<master key>"}.', { status: 415 });
      const client = deps.clientIp?.(c.req.raw) ?? 'unknown';
      const wait = throttle.retryAfter(client);
      if (wait > 0) {
        throw new GatewayError('rate_limited', 'Too many failed dashboard logins from this address; try again later.', { code: 'login_throttled', headers: { 'retry-after': String(Math.ceil(wait / 1000)) } });
      }
      const { key: given } = await readAdminBody(c, loginBody);
      if (!isMasterKey(given, key)) {
        throttle.failed(client);
        deps.logger.warn('dashboard login refused', { request_id: c.get('requestId'), reason: 'wrong master key', ip: client });
        if (deps.store) await auditAdmin(deps, c, { action: 'dashboard.login_refused', target: null }, 'anonymous');
        throw new GatewayError('unauthorized', 'That is not the master key.', { code: 'invalid_master_key' });
      }
      const s = sessions.open(key);
      setCookie(c, UI_SESSION_COOKIE, s.id, { path: '/', httpOnly: true, sameSite: 'Strict', secure: new URL(c.req.url).protocol === 'https:', expires: new Date(s.expiresAt) });
      deps.logger.info('dashboard login', { request_id: c.get('requestId'), ip: client });
      if (deps.store) await auditAdmin(deps, c, { action: 'dashboard.login', target: null }, dashboardActor(key));
      c.header('cache-control', 'no-store');
      return c.json({ csrf: s.csrf, expires_at: new Date(s.expiresAt).toISOString() });
    })
    .get('/ui/session', (c) => {
      const s = sessions.get(getCookie(c, UI_SESSION_COOKIE), master());
      if (!s) throw new GatewayError('unauthorized', 'Not logged in to the dashboard.', { code: 'no_session' });
      c.header('cache-control', 'no-store');
      return c.json({ csrf: s.csrf, expires_at: new Date(s.expiresAt).toISOString() });
    })
    .post('/ui/logout', async (c) => {
      const id = getCookie(c, UI_SESSION_COOKIE);
      const s = sessions.get(id, master());
      if (s && !sameSecret(c.req.header(CSRF_HEADER) ?? '', s.csrf)) throw new GatewayError('forbidden', `Logging out needs the session's ${CSRF_HEADER} header.`, { code: 'csrf_required' });
      sessions.close(id);
      if (s && deps.store) await auditAdmin(deps, c, { action: 'dashboard.logout', target: null }, dashboardActor(master() ?? ''));
      deleteCookie(c, UI_SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict' });
      return c.json({ ok: true });
    });
}
