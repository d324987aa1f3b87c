import { afterAll, beforeAll, expect, test } from 'bun:test';
import { startTestGateway } from '../helpers/gateway.ts';
import { startSqld, type Sqld } from '../helpers/sqld.ts';
import { realClock, type Clock } from '../../src/lib/clock.ts';
import { openStore, type Store } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createKey, revokeKey } from '../../src/store/keys.ts';

// Finding 10: revocation must not depend on the writers' and readers' clocks agreeing.
const MASTER = 'master-key-for-the-skew-test';
let sqld: Sqld;
let store: Store;
beforeAll(async () => {
  process.env.TOLLGATE_MASTER_KEY = MASTER;
  sqld = await startSqld();
  store = await openStore({ url: sqld.url });
  await migrate(store.client);
});
afterAll(async () => {
  delete process.env.TOLLGATE_MASTER_KEY;
  store.close();
  await sqld.stop();
});

/** A real clock whose wall time is `skewMs` off, as on a host whose NTP is broken. */
const skewed = (skewMs: number): Clock => ({ ...realClock, wall: () => Date.now() + skewMs });
const gatewayAt = (skewMs: number) =>
  startTestGateway({ server: { host: '127.0.0.1', port: 0, allow_anonymous: false }, database: { url: sqld.url }, providers: { mock: { type: 'mock' } }, models: { m: { provider: 'mock', model: 'mock/ok' } } }, { clock: skewed(skewMs) });
const ask = async (base: string, key: string) =>
  (await fetch(base + '/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) })).status;

/** Milliseconds until every gateway refuses the key (or 5,000 when one never does). */
async function refusedWithin(urls: string[], key: string, t0: number): Promise<Record<string, number>> {
  const at: Record<string, number> = {};
  while (Object.keys(at).length < urls.length && Date.now() - t0 < 5_000) {
    for (const u of urls) if (at[u] === undefined && (await ask(u, key)) === 401) at[u] = Date.now() - t0;
    await Bun.sleep(20);
  }
  for (const u of urls) at[u] ??= 5_000;
  return at;
}

test('a revocation written by a host whose clock is 5 s behind is refused everywhere within 1 s', async () => {
  const gws = await Promise.all([gatewayAt(0), gatewayAt(5_000)]);
  const { key, row } = await createKey(store, { name: 'skew-cli' });
  for (const g of gws) expect(await ask(g.url, key)).toBe(200);
  await Bun.sleep(500);
  // `tollgate keys revoke` run on a machine 5 s behind the gateways.
  const t0 = Date.now();
  await revokeKey(store, row.id, Date.now() - 5_000);
  const at = await refusedWithin(gws.map((g) => g.url), key, t0);
  console.log('revoked by a writer 5 s behind: refused after', Object.values(at).map((ms) => `${ms} ms`).join(', '));
  for (const ms of Object.values(at)) expect(ms).toBeLessThanOrEqual(1_000);
  await Promise.all(gws.map((g) => g.stop()));
});

test('revoked through the admin API of an instance 5 s behind: it refuses at once, the others within 1 s', async () => {
  const [behind, mid, ahead] = await Promise.all([gatewayAt(-5_000), gatewayAt(0), gatewayAt(5_000)]);
  const { key, row } = await createKey(store, { name: 'skew-admin' });
  for (const g of [behind, mid, ahead]) expect(await ask(g!.url, key)).toBe(200);
  await Bun.sleep(500);
  const t0 = Date.now();
  const r = await fetch(`${behind!.url}/admin/keys/${row.id}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}` } });
  expect(r.status).toBe(200);
  expect(await ask(behind!.url, key)).toBe(401);
  const at = await refusedWithin([mid!.url, ahead!.url], key, t0);
  console.log('revoked on the instance 5 s behind: refused there at once, elsewhere after', Object.values(at).map((ms) => `${ms} ms`).join(', '));
  for (const ms of Object.values(at)) expect(ms).toBeLessThanOrEqual(1_000);
  await Promise.all([behind, mid, ahead].map((g) => g!.stop()));
});
