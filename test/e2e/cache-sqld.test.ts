import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createResponseCache } from '../../src/cache/response-cache.ts';
import { cacheSchema } from '../../src/config/cache-schema.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { openStore, type Store } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { startSqld, type Sqld } from '../helpers/sqld.ts';

// The exact cache's statements on a real libSQL server (sqld), as two gateways sharing it use
// them: write on one, read, count hits, evict and purge on the other.
let sqld: Sqld;
let a: Store;
let b: Store;

beforeAll(async () => {
  sqld = await startSqld();
  a = await openStore({ url: sqld.url });
  await migrate(a.client);
  b = await openStore({ url: sqld.url });
});
afterAll(async () => {
  a?.close();
  b?.close();
  await sqld?.stop();
});

test('entries written through one client are read, counted, evicted and purged through another', async () => {
  const config = cacheSchema.parse({ max_entries: 10 });
  let wall = 1_900_000_000_000;
  const one = createResponseCache({ store: a, logger: silentLogger, config: () => config, wall: () => wall });
  const two = createResponseCache({ store: b, logger: silentLogger, config: () => config, wall: () => wall });
  for (let i = 0; i < 12; i++) {
    wall += 1;
    await one.write({ key: `k${i}`, tenant: 'team:red', team: 'red', endpoint: 'chat.completions', provider: 'p', model: 'm', publicModel: 'pub', createdAt: wall, expiresAt: wall + 60_000, costMicros: 5, answer: `{"i":${i}}` });
  }
  expect((await two.lookup(['k11']))?.answer).toBe('{"i":11}');
  await two.flush();
  await two.evict();
  const stats = await two.stats({ team: 'red' });
  expect(stats.entries).toBe(9);
  expect([stats.hits, stats.savedMicros]).toEqual([1, 5]);
  expect(await two.lookup(['k0'])).toBeUndefined();
  expect(await two.purge({ model: 'pub' })).toBe(9);
  wall += 60_001;
  expect(await one.lookup(['k11'])).toBeUndefined();
});
