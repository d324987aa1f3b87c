import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureChromium } from '../../scripts/ensure-chromium.ts';
import { startPolicyGateway } from '../helpers/gateway.ts';
import { sha256Hex } from '../../src/lib/hash.ts';
import type { Gateway } from '../../src/server/start.ts';
import { MASTER, withMasterKey } from '../support/admin-app.ts';

// Issue 15 item 5: the dashboard in a real headless Chromium. Log in with the master key, see a
// team's spend match the ledger, find a denied request and its reason, revoke a key (which then
// gets 401). Screenshots go to .tmp/ui-screenshots/.
const SHOTS = resolve(import.meta.dir, '../../.tmp/ui-screenshots');
const dir = mkdtempSync(join(tmpdir(), 'tollgate-ui-'));
const CONFIG_KEY = 'tg-ui-config-key-5e1b7c2a9d40';
const DENIAL = "model 'secret' is off-limits for team ml";
const REASON = 'models: secret is blocked for everyone';
const POLICY = `package gateway

decision := {"allowed": false, "http_status": 403, "message": "${DENIAL}", "reasons": ["${REASON}"]} if input.request.model == "secret"

decision := {"allowed": true, "log_prompts": true, "tags": ["capture"]} if input.request.model == "logged"

decision := {"allowed": true, "tags": ["chat"]} if not input.request.model in {"secret", "logged"}
`;

let gw: Gateway;
let db: Client;
let browser: Browser;
let page: Page;
let restore = () => {};
/** What the page logged as errors or threw: a CSP refusal shows up here ("Refused to …"). */
const problems: string[] = [];
const keys: Record<string, { key: string; id: string }> = {};

interface Issued {
  key: string;
  record: { id: string };
}
const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
  const r = await fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
};
const chat = (key: string, model: string, content = 'hello dashboard') =>
  fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content }] }) });

async function waitFor(ok: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await ok()) return;
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}
/** Rows land in the ledger a flush later; wait until `n` rows are there. */
const ledgerRows = (n: number) => waitFor(async () => Number((await db.execute('SELECT count(*) AS n FROM usage')).rows[0]!.n) >= n, `${n} ledger rows`);
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  const executablePath = ensureChromium();
  mkdirSync(SHOTS, { recursive: true });
  restore = withMasterKey(MASTER);
  [gw, browser] = await Promise.all([
    startPolicyGateway(dir, POLICY, { name: 'cfg', team: 'ops', hash: `sha256:${sha256Hex(CONFIG_KEY)}` }, {
      capture: { max_bytes: 4096, retention: '7d' },
      policy: { dir: join(dir, 'policies'), watch: false, decision_log: { flush_ms: 20 } },
      providers: { mock: { type: 'mock' } },
      models: { chat: { provider: 'mock', model: 'mock/ok' }, logged: { provider: 'mock', model: 'mock/ok' }, secret: { provider: 'mock', model: 'mock/ok' }, broken: { provider: 'mock', model: 'mock/error-500' } },
      prices: { chat: { input: 10, output: 20 } },
    }),
    chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] }),
  ]);
  db = createClient({ url: `file:${join(dir, 'db.sqlite')}` });
  await admin('POST', '/admin/teams', { id: 'ml', budget: '1000/month' });
  for (const [name, team] of [['ana', 'ml'], ['bo', 'ml'], ['cy', 'research']] as const) {
    const r = (await admin('POST', '/admin/keys', { name, team })) as Issued;
    keys[name] = { key: r.key, id: r.record.id };
  }
  const calls = [chat(keys.ana!.key, 'chat'), chat(keys.ana!.key, 'chat', 'a longer prompt for more tokens and cost'), chat(keys.bo!.key, 'logged', 'capture me'), chat(keys.cy!.key, 'chat'), chat(CONFIG_KEY, 'chat')];
  const statuses = (await Promise.all(calls)).map((r) => r.status);
  expect(statuses).toEqual([200, 200, 200, 200, 200]);
  expect((await chat(keys.bo!.key, 'secret')).status).toBe(403);
  await ledgerRows(6);
  await waitFor(async () => Number((await db.execute("SELECT count(*) AS n FROM decisions WHERE allowed = 0")).rows[0]!.n) > 0, 'the denial in the decision log');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // The first GET /ui/session is a 401 before login, and Chromium logs every failed load.
  page.on('console', (m) => void (m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text())));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  db?.close();
  await gw?.stop();
  restore();
});

describe('dashboard in Chromium', () => {
  test('the login page refuses a wrong key and takes the master key; the cookie is HttpOnly and SameSite=Strict and is not the key', async () => {
    await page.goto(`${gw.url}/ui`);
    await page.fill('input[name=key]', 'not-the-key');
    await page.click('button[type=submit]');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('not the master key');
    await shot('01-login-refused');
    await page.fill('input[name=key]', MASTER);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=spend-total]').waitFor();
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'tollgate_ui', httpOnly: true, sameSite: 'Strict' });
    expect(cookie!.value).not.toContain(MASTER);
    expect(cookie!.value.length).toBeGreaterThanOrEqual(40);
  });

  test("a team's spend on the Spend page is the ledger's sum for that team", async () => {
    const ledger = await db.execute("SELECT team, sum(cost_micros) AS micros, count(*) AS n FROM usage GROUP BY team");
    const ml = ledger.rows.find((r) => r.team === 'ml')!;
    expect(Number(ml.micros)).toBeGreaterThan(0);
    const cell = page.locator('[data-testid=spend-by-team] tr[data-row=ml] td.cost');
    await cell.waitFor();
    expect(Number(await cell.getAttribute('data-micros'))).toBe(Number(ml.micros));
    const total = ledger.rows.reduce((s, r) => s + Number(r.micros), 0);
    const usd = (await page.locator('[data-testid=spend-total]').textContent())!;
    expect(Math.round(Number(usd.slice(1)) * 1e6)).toBe(total);
    // The team's budget shows this period's spend from the spend book, which booked what the ledger holds.
    const booked = page.locator('[data-testid=budgets] tr[data-budget="team:ml"] td.spent');
    expect(Number(await booked.getAttribute('data-micros'))).toBe(Number(ml.micros));
    await shot('02-spend');
  });

  test('the Requests page finds the denied request, and it shows its reason; a logged one shows its captured prompt', async () => {
    await page.click('a[href="#requests"]');
    // A policy denial is recorded with outcome `forbidden` and the decision's message as its reason.
    await page.fill('input[name=outcome]', 'forbidden');
    await page.fill('input[name=team]', 'ml');
    await page.click('form.search button[type=submit]');
    await page.locator('[data-testid=requests][data-query*="outcome=forbidden"]').waitFor();
    const denied = (await db.execute("SELECT request_id, error_class FROM usage WHERE requested_model = 'secret'")).rows[0]!;
    const row = page.locator(`tr[data-request="${denied.request_id}"]`);
    expect(await page.locator('[data-testid=requests] tbody tr').count()).toBe(1);
    await row.click();
    const reason = page.locator('[data-testid=request-detail] dd[data-fact=Reason]');
    await reason.waitFor();
    expect(await reason.textContent()).toContain(DENIAL);
    // The decision log's row for it: denied, with the policy's reasons.
    expect(await page.locator('[data-testid=decision]').textContent()).toContain('denied 403');
    expect(await page.locator('[data-testid=decision-reasons]').textContent()).toContain(REASON);
    await shot('03-denied-request');

    await page.fill('input[name=outcome]', '');
    await page.fill('input[name=team]', '');
    await page.fill('input[name=model]', 'logged');
    await page.click('form.search button[type=submit]');
    await page.locator('[data-testid=requests][data-query="model=logged&limit=100"]').waitFor();
    await page.locator('[data-testid=requests] tbody tr').first().click();
    await page.locator('[data-testid=capture-request]').waitFor();
    expect(await page.locator('[data-testid=capture-request]').textContent()).toContain('capture me');
    await shot('04-captured-prompt');
  });

  test('the Providers page shows the mock provider and its deployments, and updates itself when one starts failing', async () => {
    await page.click('a[href="#providers"]');
    const card = page.locator('[data-provider=mock]');
    await card.waitFor();
    expect(await card.textContent()).toContain('healthy');
    expect(await card.textContent()).toContain('closed');
    expect(await card.locator('tr', { hasText: 'mock/error-500' }).count()).toBe(0);
    const served = Number((await db.execute("SELECT count(*) AS n FROM usage WHERE provider = 'mock'")).rows[0]!.n);
    expect(await card.locator('[data-testid=last-hour]').textContent()).toContain(`${served} requests`);
    // The config key's team has no budget, so the unpriced failing model may be called.
    expect((await chat(CONFIG_KEY, 'broken')).status).toBeGreaterThanOrEqual(500);
    // No reload: the page polls. The failing deployment appears with a 100% error rate.
    await card.locator('tr', { hasText: 'mock/error-500' }).filter({ hasText: '100.0%' }).waitFor({ timeout: 8_000 });
    await shot('05-providers');
  });

  test('revoking a key on the Keys page makes that key get 401', async () => {
    expect((await chat(keys.cy!.key, 'chat')).status).toBe(200);
    await page.click('a[href="#keys"]');
    const row = page.locator('tr[data-key=cy]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.locator('tr[data-key=cy] [data-status]', { hasText: 'revoked' }).waitFor();
    await shot('06-key-revoked');
    expect((await chat(keys.cy!.key, 'chat')).status).toBe(401);
    expect((await chat(keys.ana!.key, 'chat')).status).toBe(200);
  });

  test("the Keys page creates a key (shown once), rotates one, and edits a team's budget and rpm through the admin API", async () => {
    await page.fill('input[name=name]', 'dee');
    await page.fill('form.inline >> nth=0 >> input[name=team]', 'ml');
    await page.click('button:has-text("Create key")');
    const shown = page.locator('[data-testid=new-key] code');
    await shown.waitFor();
    const dee = (await shown.textContent())!;
    expect((await chat(dee, 'chat')).status).toBe(200);
    await page.click('[data-testid=new-key] button');

    await page.locator('tr[data-key=bo]').getByRole('button', { name: 'Rotate' }).click();
    await page.locator('[data-testid=new-key] code').waitFor();
    const rotated = (await page.locator('[data-testid=new-key] code').textContent())!;
    expect(rotated).not.toBe(keys.bo!.key);
    expect((await chat(rotated, 'chat')).status).toBe(200);
    expect((await chat(keys.bo!.key, 'chat')).status).toBe(200); // the old key has its grace period
    await page.click('[data-testid=new-key] button');

    const ml = page.locator('tr[data-team=ml]');
    await ml.getByRole('button', { name: 'Edit' }).click();
    await ml.getByLabel('budget').fill('250/week');
    await ml.getByLabel('rpm').fill('600');
    await ml.getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-team=ml]', { hasText: '$250/week' }).waitFor();
    expect(await admin('GET', '/admin/teams/ml')).toMatchObject({ budget: { usd: 250, period: 'week' }, rpm: 600 });
    await shot('07-keys-edited');
  });

  test('the Audit log page shows the dashboard login and the revoke, by the dashboard', async () => {
    await page.click('a[href="#audit"]');
    const revoke = page.locator('[data-testid=audit] tr[data-action="key.revoke"]');
    await revoke.waitFor();
    expect(await revoke.textContent()).toContain(keys.cy!.id);
    expect(await revoke.textContent()).toMatch(/dashboard:[0-9a-f]{12}/);
    expect(await page.locator('[data-testid=audit] tr[data-action="dashboard.login"]').count()).toBe(1);
    expect(await page.locator('[data-testid=audit] tr[data-action="dashboard.login_refused"]').count()).toBe(1);
    await shot('08-audit');
  });

  test('logging out ends the session: the admin API refuses the old cookie', async () => {
    const [before] = await page.context().cookies();
    await page.click('button.logout');
    await page.locator('input[name=key]').waitFor();
    const r = await fetch(`${gw.url}/admin/keys`, { headers: { cookie: `tollgate_ui=${before!.value}` } });
    expect(r.status).toBe(401);
  });

  test('no page broke the Content-Security-Policy or threw', () => {
    expect(problems).toEqual([]);
  });
});
