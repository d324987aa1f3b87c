import { afterAll, beforeAll, expect, test } from 'bun:test';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnBinary, type Spawned } from '../helpers/spawn-binary.ts';

// The dashboard is in the binary: from an empty directory with no node_modules and no network,
// /ui, its script and style are served, and a login reads the admin API through the cookie.
const BIN = resolve(import.meta.dir, '../../dist/tollgate');
const MASTER = 'tg-master-dashboard-bin-0123456789';
let gw: Spawned;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error('dist/tollgate is missing: run `npm run build` (npm test does it first)');
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-ui-bin-'));
  gw = await spawnBinary(BIN, ['--port', '0'], { cwd: dir, env: { PATH: '/usr/bin:/bin', HOME: dir, TOLLGATE_MASTER_KEY: MASTER } });
});
afterAll(() => gw?.kill());

test('the binary serves /ui and its assets, and a dashboard login reads the admin API', async () => {
  const page = await fetch(`${gw.url}/ui`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await page.text();
  for (const m of html.matchAll(/(?:src|href)="(\/ui\/assets\/[^"]+)"/g)) {
    const r = await fetch(gw.url + m[1]);
    expect(r.status).toBe(200);
    expect((await r.text()).length).toBeGreaterThan(1000);
  }
  const login = await fetch(`${gw.url}/ui/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: MASTER }) });
  expect(login.status).toBe(200);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const providers = (await (await fetch(`${gw.url}/admin/providers`, { headers: { cookie } })).json()) as { data: { name: string }[] };
  expect(providers.data.length).toBeGreaterThan(0);
});
