import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startTestGateway } from '../helpers/gateway.ts';
import { spawnBinary } from '../helpers/spawn-binary.ts';
import { startSqld, type Sqld } from '../helpers/sqld.ts';
import { createFakeClock } from '../support/fake-clock.ts';
import { openStore, type Store } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createKey } from '../../src/store/keys.ts';

// Finding 8: a dead instance's budget leases are released by a live one within 30 s, booking
// only what was spent; a live instance's lease is never swept.
const ROOT = join(import.meta.dir, '../..');
let sqld: Sqld;
let store: Store;
beforeAll(async () => {
  sqld = await startSqld();
  store = await openStore({ url: sqld.url });
  await migrate(store.client);
});
afterAll(async () => {
  store.close();
  await sqld.stop();
});

const config = () => ({
  server: { host: '127.0.0.1', port: 0, allow_anonymous: false },
  database: { url: sqld.url },
  policy: { enabled: false },
  ledger: { flush_ms: 50 },
  providers: { mock: { type: 'mock' } },
  models: { m: { provider: 'mock', model: 'mock/ok' }, slow: { provider: 'mock', model: 'mock/slow-4000' } },
  prices: { 'mock/ok': { input: 1000, output: 1000 }, 'mock/slow-4000': { input: 1000, output: 1000 } },
});
const ask = (base: string, key: string, model = 'm') =>
  fetch(base + '/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }) });
const one = async (sql: string, args: (string | number)[] = []) => (await store.client.execute({ sql, args })).rows[0]!;

test("a killed instance's leases are released within 30 s by a live one, booking only what it spent; a live lease stays", async () => {
  const { key } = await createKey(store, { name: 'shared-budget', budget: { micros: 1_000_000, period: 'day' } });
  const dir = mkdtempSync(join(tmpdir(), 'tg-dead-'));
  writeFileSync(join(dir, 'gateway.config.yaml'), stringify(config()));
  const dead = await spawnBinary(process.execPath, [join(ROOT, 'src/main.ts'), 'serve', '--config', join(dir, 'gateway.config.yaml')], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
  for (let i = 0; i < 5; i++) expect((await ask(dead.url, key)).status).toBe(200);
  // Settled spend is booked within a flush (50 ms); the lease itself is still held when it dies.
  await Bun.sleep(400);
  dead.kill();
  await dead.proc.exited;
  const owner = String((await one('SELECT owner FROM reservations WHERE settled_at IS NULL')).owner);
  const before = await one("SELECT spent_micros, reserved_micros, requests FROM spend WHERE scope = 'key' AND period = 'day'");
  const ledger = Number((await one('SELECT sum(cost_micros) AS c FROM usage WHERE key_name = ?', ['shared-budget'])).c);
  expect(Number(before.reserved_micros)).toBeGreaterThan(0);
  expect(Number(before.spent_micros)).toBe(ledger);

  // Two live instances whose lease heartbeats run on one fake clock, moved 5 s at a time.
  const clock = createFakeClock();
  const [b, c] = await Promise.all([startTestGateway(config(), { leaseClock: clock }), startTestGateway(config(), { leaseClock: clock })]);
  const inFlight = ask(c.url, key, 'slow');
  await Bun.sleep(300);
  let releasedAt: number | undefined;
  for (let t = 5_000; t <= 40_000 && releasedAt === undefined; t += 5_000) {
    await clock.advance(5_000);
    await Bun.sleep(150);
    const open = Number((await one('SELECT count(*) AS n FROM reservations WHERE owner = ? AND settled_at IS NULL', [owner])).n);
    if (open === 0) releasedAt = t;
  }
  const after = await one("SELECT spent_micros, reserved_micros, requests FROM spend WHERE scope = 'key' AND period = 'day'");
  const actual = Number((await one('SELECT sum(actual_micros) AS a FROM reservations WHERE owner = ?', [owner])).a);
  const liveOpen = Number((await one('SELECT count(*) AS n FROM reservations WHERE owner <> ? AND settled_at IS NULL', [owner])).n);
  console.log(`dead instance's room (${before.reserved_micros} µ$) released after ${(releasedAt ?? NaN) / 1000} s of heartbeat time; booked ${after.spent_micros} µ$ for ${after.requests} requests, truly spent ${ledger} µ$`);
  expect(releasedAt).toBeLessThanOrEqual(30_000);
  // Only what was spent is booked: the spend, the request count and the leases' actuals are untouched.
  expect(Number(after.spent_micros)).toBe(ledger);
  expect(Number(after.requests)).toBe(5);
  expect(actual).toBe(ledger);
  // The live instance's lease (a request still in flight on it) was not swept.
  expect(liveOpen).toBeGreaterThan(0);
  expect((await inFlight).status).toBe(200);
  await Promise.all([b.stop(), c.stop()]);
  const end = await one("SELECT spent_micros, reserved_micros, requests FROM spend WHERE scope = 'key' AND period = 'day'");
  const total = Number((await one('SELECT sum(cost_micros) AS c FROM usage WHERE key_name = ?', ['shared-budget'])).c);
  expect(Number(end.reserved_micros)).toBe(0);
  expect(Number(end.spent_micros)).toBe(total);
  expect(Number(end.requests)).toBe(6);
}, 30_000);
