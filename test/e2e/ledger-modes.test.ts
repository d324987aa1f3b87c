import { afterAll, beforeAll, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway } from '../helpers/gateway.ts';
import { startSqld, type Sqld } from '../helpers/sqld.ts';
import { openStore } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { MIGRATIONS } from '../../src/store/migrations/index.ts';
import { createKey, revokeKey } from '../../src/store/keys.ts';

let sqld: Sqld;
beforeAll(async () => {
  sqld = await startSqld();
});
afterAll(() => sqld.stop());

const gatewayOn = (url: string, extra: Record<string, unknown> = {}) =>
  startTestGateway({ server: { host: '127.0.0.1', port: 0, allow_anonymous: false }, database: { url, ...extra }, providers: { mock: { type: 'mock' } }, models: { m: { provider: 'mock', model: 'mock/ok' } } });
const ask = (base: string, key: string) => new OpenAI({ baseURL: base + '/v1', apiKey: key, maxRetries: 0 }).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });

test('a key revoked on one instance is refused by every instance sharing the sqld database within 1 s', async () => {
  const store = await openStore({ url: sqld.url });
  await migrate(store.client);
  const [a, b] = await Promise.all([gatewayOn(sqld.url), gatewayOn(sqld.url)]);
  const { key, row } = await createKey(store, { name: 'shared' });
  await ask(a.url, key);
  await ask(b.url, key);
  await revokeKey(store, row.id);
  const t0 = Date.now();
  const refused = new Set<string>();
  while (Date.now() - t0 < 1500 && refused.size < 2) {
    for (const g of [a, b]) if ((await ask(g.url, key).catch((e) => e)) instanceof OpenAI.AuthenticationError) refused.add(g.url);
    await Bun.sleep(25);
  }
  expect(refused.size).toBe(2);
  expect(Date.now() - t0).toBeLessThanOrEqual(1100);
  await a.stop();
  await b.stop();
  store.close();
});

test('a key over its RPM gets 429 with Retry-After through the SDK', async () => {
  const store = await openStore({ url: sqld.url });
  const gw = await gatewayOn(sqld.url);
  const { key } = await createKey(store, { name: 'slow', rpm: 2 });
  await ask(gw.url, key);
  await ask(gw.url, key);
  const err = await ask(gw.url, key).catch((e) => e);
  expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  expect(Number(err.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(err.message).toContain('2 requests per minute');
  await gw.stop();
  store.close();
});

test('embedded replica mode: a local file synced from sqld serves keys and writes usage to the server', async () => {
  const local = `file:${join(mkdtempSync(join(tmpdir(), 'tg-replica-')), 'replica.db')}`;
  const primary = await openStore({ url: sqld.url });
  await migrate(primary.client);
  const { key } = await createKey(primary, { name: 'replica-key' });
  const gw = await gatewayOn(local, { sync_url: sqld.url });
  const r = await ask(gw.url, key);
  expect(r.choices.length).toBe(1);
  await gw.stop();
  const rows = await primary.client.execute("SELECT count(*) AS n FROM usage WHERE key_name = 'replica-key'");
  expect(Number(rows.rows[0]!.n)).toBe(1);
  primary.close();
});

test('an older database is brought up to the current schema at startup', async () => {
  const url = `file:${join(mkdtempSync(join(tmpdir(), 'tg-old-')), 'old.db')}`;
  const old = await openStore({ url });
  // Only the first migration, as a database from the first release would have.
  await old.client.execute('CREATE TABLE tollgate_migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const first = MIGRATIONS[0]!;
  for (const sql of first.sql.split('--> statement-breakpoint')) if (sql.trim()) await old.client.execute(sql);
  await old.client.execute({ sql: 'INSERT INTO tollgate_migrations VALUES (?, ?)', args: [first.tag, Date.now()] });
  old.close();
  const gw = await gatewayOn(url);
  await gw.stop();
  const s = await openStore({ url });
  const tags = (await s.client.execute('SELECT tag FROM tollgate_migrations ORDER BY tag')).rows.map((r) => r.tag);
  expect(tags).toEqual(MIGRATIONS.map((m) => m.tag));
  const { key } = await createKey(s, { name: 'after-upgrade' });
  expect(key.startsWith('tg-')).toBe(true);
  s.close();
});
