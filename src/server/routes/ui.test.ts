import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { adminTestApp, MASTER, withMasterKey, type ErrorJson } from '../../../test/support/admin-app.ts';
import { uiSessions } from '../ui-sessions.ts';
import { loginThrottle } from '../login-throttle.ts';
import { UI_ASSETS } from '../../ui/assets.ts';
import { renderUiAssets } from '../../../scripts/build-ui.ts';

let restore = () => {};
beforeAll(() => (restore = withMasterKey(MASTER)));
afterAll(() => restore());

type App = Awaited<ReturnType<typeof adminTestApp>>['app'];
const login = (app: App, key: string, type = 'application/json') => app.request('/ui/login', { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify({ key }) });
async function session(app: App) {
  const r = await login(app, MASTER);
  expect(r.status).toBe(200);
  const cookie = r.headers.get('set-cookie')!;
  const { csrf } = (await r.json()) as { csrf: string };
  return { cookie, csrf, pair: cookie.split(';')[0]! };
}

describe('/ui', () => {
  test('the page and its assets come from the binary under a strict CSP; assets are cached as immutable', async () => {
    const { app } = await adminTestApp();
    const page = await app.request('/ui');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    const js = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const css = /href="(\/ui\/assets\/[^"]+\.css)"/.exec(html)![1]!;
    for (const [path, type, body] of [[js, 'text/javascript', UI_ASSETS.js], [css, 'text/css', UI_ASSETS.css]] as const) {
      const r = await app.request(path);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toStartWith(type);
      expect(r.headers.get('cache-control')).toContain('immutable');
      expect(await r.text()).toBe(body);
    }
    expect(html).not.toMatch(/<script>|style=|https?:\/\//);
    expect((await app.request('/ui/assets/app-stale.js')).status).toBe(404);
  });

  test('the embedded bundle is the one src/ui/client builds (run scripts/build-ui.ts after editing it)', async () => {
    const { text } = await renderUiAssets();
    expect(text).toBe(await Bun.file(new URL('../../ui/assets.ts', import.meta.url)).text());
  });

  test('login: a wrong key gets 401 and no cookie; the master key gets an HttpOnly, SameSite=Strict session cookie that is not the key', async () => {
    const { app, logs } = await adminTestApp();
    const wrong = await login(app, 'tg-nope');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(((await wrong.json()) as ErrorJson).error.code).toBe('invalid_master_key');
    expect((await login(app, MASTER, 'text/plain')).status).toBe(415);
    const bad = await app.request('/ui/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key": "x", "kee": 1}' });
    expect(((await bad.json()) as ErrorJson).error.param).toBe('kee');
    const { cookie } = await session(app);
    expect(cookie).toMatch(/^tollgate_ui=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain(MASTER);
    expect(logs.join('\n')).not.toContain(MASTER);
  });

  test('the session cookie reads the admin API; a change also needs the CSRF header', async () => {
    const { app } = await adminTestApp();
    const { pair, csrf } = await session(app);
    expect((await app.request('/admin/keys', { headers: { cookie: pair } })).status).toBe(200);
    const create = (headers: Record<string, string>) => app.request('/admin/keys', { method: 'POST', headers: { cookie: pair, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'ui-made' }) });
    const none = await create({});
    expect(none.status).toBe(403);
    expect(((await none.json()) as ErrorJson).error.code).toBe('csrf_required');
    expect((await create({ 'x-tollgate-csrf': 'guess' })).status).toBe(403);
    expect((await create({ 'x-tollgate-csrf': csrf })).status).toBe(201);
    // A made-up cookie is no session.
    expect((await app.request('/admin/keys', { headers: { cookie: 'tollgate_ui=made-up' } })).status).toBe(401);
  });

  test('logout ends the session; a changed master key ends every session', async () => {
    const { app } = await adminTestApp();
    const a = await session(app);
    expect((await app.request('/ui/logout', { method: 'POST', headers: { cookie: a.pair } })).status).toBe(403);
    const out = await app.request('/ui/logout', { method: 'POST', headers: { cookie: a.pair, 'x-tollgate-csrf': a.csrf } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await app.request('/ui/session', { headers: { cookie: a.pair } })).status).toBe(401);
    const b = await session(app);
    process.env.TOLLGATE_MASTER_KEY = `${MASTER}-rotated`;
    try {
      expect((await app.request('/admin/keys', { headers: { cookie: b.pair } })).status).toBe(401);
    } finally {
      process.env.TOLLGATE_MASTER_KEY = MASTER;
    }
  });

  test('without TOLLGATE_MASTER_KEY the dashboard cannot be logged in to', async () => {
    const { app } = await adminTestApp();
    delete process.env.TOLLGATE_MASTER_KEY;
    try {
      const r = await login(app, MASTER);
      expect(r.status).toBe(401);
      expect(((await r.json()) as ErrorJson).error.code).toBe('admin_disabled');
    } finally {
      process.env.TOLLGATE_MASTER_KEY = MASTER;
    }
  });
});

test('ten wrong keys in a minute and the next login is refused with 429 and Retry-After, even with the right key', async () => {
  const { app } = await adminTestApp();
  for (let i = 0; i < 10; i++) expect((await login(app, `guess-${i}`)).status).toBe(401);
  const r = await login(app, MASTER);
  expect(r.status).toBe(429);
  expect(((await r.json()) as ErrorJson).error.code).toBe('login_throttled');
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
});

test('the login throttle counts each client apart and forgets failures after its window', () => {
  let t = 0;
  const th = loginThrottle({ limit: 2, windowMs: 1_000, now: () => t });
  th.failed('a');
  th.failed('a');
  expect(th.retryAfter('a')).toBe(1_000);
  expect(th.retryAfter('b')).toBe(0);
  t = 400;
  expect(th.retryAfter('a')).toBe(600);
  t = 1_000;
  expect(th.retryAfter('a')).toBe(0);
});

describe('uiSessions', () => {
  test('a session lasts its TTL, and the store keeps at most `max`, dropping the oldest', () => {
    let t = 1_000;
    const s = uiSessions({ ttlMs: 100, max: 2, now: () => t });
    const a = s.open('k');
    expect(s.get(a.id, 'k')?.csrf).toBe(a.csrf);
    expect(s.get(a.id, 'other')).toBeUndefined();
    const b = s.open('k');
    t += 99;
    expect(s.get(b.id, 'k')).toBeDefined();
    s.open('k');
    expect(s.size).toBe(2);
    t += 1;
    expect(s.get(b.id, 'k')).toBeUndefined();
  });
});
