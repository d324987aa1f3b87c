import { afterAll, beforeAll, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway } from '../helpers/gateway.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Gateway } from '../../src/server/start.ts';

const MASTER = 'tg-master-' + crypto.randomUUID();
const dir = mkdtempSync(join(tmpdir(), 'tollgate-admin-'));
const logs: string[] = [];
const seen: string[] = []; // every admin response body, for the secret scan
let gw: Gateway;
let masterBefore: string | undefined;

beforeAll(async () => {
  masterBefore = process.env.TOLLGATE_MASTER_KEY;
  process.env.TOLLGATE_MASTER_KEY = MASTER;
  gw = await startTestGateway(
    {
      server: { host: '127.0.0.1', port: 0, allow_anonymous: false },
      database: { url: `file:${join(dir, 'db.sqlite')}` },
      providers: { mock: { type: 'mock' } },
      models: { chat: { provider: 'mock', model: 'mock/ok' } },
      // Priced: a request under a budget is refused on an unpriced model.
      prices: { 'mock/ok': { input: 0.15, output: 0.6 } },
    },
    { logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }) },
  );
});
afterAll(async () => {
  await gw.stop();
  if (masterBefore === undefined) delete process.env.TOLLGATE_MASTER_KEY;
  else process.env.TOLLGATE_MASTER_KEY = masterBefore;
});

async function admin(method: string, path: string, body?: unknown, token = MASTER): Promise<{ status: number; text: string }> {
  const r = await fetch(gw.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, text };
}

let answered = 0; // successful calls: each leaves one usage row
async function ask(key: string) {
  const r = await new OpenAI({ baseURL: gw.url + '/v1', apiKey: key, maxRetries: 0 }).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
  answered++;
  return r;
}

const keys: string[] = [];

test('create → use through the OpenAI SDK → revoke → refused', async () => {
  const created = await admin('POST', '/admin/keys', { name: 'e2e', team: 'ml', budget: '5/day', rpm: 1000 });
  expect(created.status).toBe(201);
  const { key, record } = JSON.parse(created.text) as { key: string; record: { id: string } };
  keys.push(key);
  for (let i = 0; i < 3; i++) expect((await ask(key)).choices[0]!.message.content).toContain('Mock reply');

  const revoked = await admin('POST', `/admin/keys/${record.id}/revoke`);
  seen.push(revoked.text);
  expect(JSON.parse(revoked.text).status).toBe('revoked');
  const start = Date.now();
  let err: unknown;
  while (Date.now() - start < 1500) {
    err = await ask(key).then(() => undefined, (e) => e);
    if (err) break;
    await Bun.sleep(50);
  }
  expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
  expect(Date.now() - start).toBeLessThanOrEqual(1000);
});

test('a rotated key works at once', async () => {
  const created = JSON.parse((await admin('POST', '/admin/keys', { name: 'rot', team: 'ops' })).text) as { key: string; record: { id: string } };
  keys.push(created.key);
  await ask(created.key);
  const rotated = await admin('POST', `/admin/keys/${created.record.id}/rotate`, { grace: '1h' });
  const { key } = JSON.parse(rotated.text) as { key: string };
  keys.push(key);
  expect((await ask(key)).choices).toHaveLength(1);
  expect((await ask(created.key)).choices).toHaveLength(1);
});

test('the usage report counts the requests made, by team and key', async () => {
  let report: { rows: { team: string; key: string; requests: number }[]; totals: { requests: number } } | undefined;
  for (let i = 0; i < 40 && (report?.totals.requests ?? 0) < answered; i++) {
    await Bun.sleep(50);
    const r = await admin('GET', '/admin/usage?by=team,key&since=1h');
    seen.push(r.text);
    report = JSON.parse(r.text);
  }
  // Refused calls (bad key) never reach a route, so only answered ones are in the ledger.
  expect(answered).toBeGreaterThanOrEqual(6);
  expect(report!.totals.requests).toBe(answered);
  expect(report!.rows.reduce((n, r) => n + r.requests, 0)).toBe(answered);
  expect(report!.rows.map((r) => r.team)).toEqual(['ml', 'ops', 'ops']);
  // ops: the rotated-out key answered 2 calls, its replacement 1.
  expect(report!.rows.filter((r) => r.team === 'ops').map((r) => r.requests).sort()).toEqual([1, 2]);
  seen.push((await admin('GET', '/admin/usage?by=model&format=csv')).text);
});

test('a wrong master key gets 401 from the real server', async () => {
  const r = await admin('GET', '/admin/keys', undefined, 'tg-not-the-master');
  expect(r.status).toBe(401);
  seen.push(r.text);
});

test('secret scan: no plaintext key or master key in the database files, logs, or list and usage answers', async () => {
  seen.push((await admin('GET', '/admin/keys?include_revoked=true')).text);
  seen.push((await admin('GET', '/admin/teams')).text);
  expect(keys).toHaveLength(3);
  const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1'));
  expect(files.length).toBeGreaterThan(0);
  const haystacks = { db: files.join('\n'), logs: logs.join('\n'), responses: seen.join('\n') };
  expect(haystacks.logs).toContain('admin: key created'); // the scan reads real material
  expect(haystacks.db).toContain(keys[0]!.slice(0, 10));
  for (const [where, text] of Object.entries(haystacks)) {
    for (const secret of [...keys, MASTER]) expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
  }
});
