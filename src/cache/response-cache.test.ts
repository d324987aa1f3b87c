import { afterEach, expect, test } from 'bun:test';
import { cacheSchema, type CacheConfig } from '../config/cache-schema.ts';
import { silentLogger } from '../lib/logger.ts';
import { openStore, type Store } from '../store/client.ts';
import { migrate } from '../store/migrate.ts';
import type { CacheEntry } from '../store/cache-entries.ts';
import { createResponseCache, MEMORY_TRUST_MS } from './response-cache.ts';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

async function setup(over: Partial<CacheConfig> = {}) {
  const store = await openStore({ url: ':memory:' });
  stores.push(store);
  await migrate(store.client);
  let wall = 1_800_000_000_000;
  const config = { ...cacheSchema.parse({}), ...over };
  const make = () => createResponseCache({ store, logger: silentLogger, config: () => config, wall: () => wall });
  return { store, make, cache: make(), tick: (ms: number) => void (wall += ms), now: () => wall };
}

const entry = (key: string, now: number, o: Partial<CacheEntry> = {}): CacheEntry => ({ key, tenant: 'team:red', team: 'red', endpoint: 'chat.completions', provider: 'p', model: 'm', publicModel: 'pub', createdAt: now, expiresAt: now + 60_000, costMicros: 10, answer: JSON.stringify({ k: key }), ...o });
const count = async (s: Store) => Number((await s.client.execute('SELECT count(*) AS n FROM cache_entries')).rows[0]!.n);

test('an entry is served until it expires, by the memory front and by the database (another instance on the same database)', async () => {
  const t = await setup();
  await t.cache.write(entry('a', t.now()));
  expect((await t.cache.lookup(['a']))?.key).toBe('a');
  const other = t.make();
  expect((await other.lookup(['x', 'a']))?.key).toBe('a');
  t.tick(60_001);
  expect(await t.cache.lookup(['a'])).toBeUndefined();
  expect(await other.lookup(['a'])).toBeUndefined();
});

test('the first live key in target order wins', async () => {
  const t = await setup();
  await t.cache.write(entry('second', t.now()));
  await t.cache.write(entry('first', t.now()));
  const fresh = t.make();
  expect((await fresh.lookup(['first', 'second']))?.key).toBe('first');
  expect((await fresh.lookup(['nope', 'second']))?.key).toBe('second');
});

test('past max_entries the least recently used go first, down to 90 % of the bound', async () => {
  const t = await setup({ max_entries: 10 });
  for (let i = 0; i < 10; i++) {
    await t.cache.write(entry(`e${i}`, t.now()));
    t.tick(1);
  }
  // e0 is used, so e1 is the oldest now.
  await t.cache.lookup(['e0']);
  await t.cache.flush();
  t.tick(10_000);
  await t.cache.write(entry('e10', t.now()));
  await t.cache.evict();
  expect(await count(t.store)).toBe(9);
  const fresh = t.make();
  expect(await fresh.lookup(['e1'])).toBeUndefined();
  expect(await fresh.lookup(['e2'])).toBeUndefined();
  expect((await fresh.lookup(['e0']))?.key).toBe('e0');
  expect((await fresh.lookup(['e10']))?.key).toBe('e10');
});

test('past max_bytes entries are evicted; an answer over max_entry_bytes is never stored', async () => {
  const t = await setup({ max_bytes: 10_000, max_entry_bytes: 4096 });
  await t.cache.write(entry('huge', t.now(), { answer: JSON.stringify({ t: 'x'.repeat(5000) }) }));
  expect(await count(t.store)).toBe(0);
  expect(await t.cache.lookup(['huge'])).toBeUndefined();
  for (let i = 0; i < 4; i++) {
    t.tick(10_000);
    await t.cache.write(entry(`b${i}`, t.now(), { answer: JSON.stringify({ t: 'y'.repeat(3000) }) }));
  }
  await t.cache.evict();
  const left = Number((await t.store.client.execute('SELECT coalesce(sum(bytes), 0) AS b FROM cache_entries')).rows[0]!.b);
  expect(left).toBeLessThanOrEqual(9000);
  expect(await t.make().lookup(['b3'])).toBeDefined();
});

test('purge by team and model removes from the database and this memory front; stats count hits and what they saved', async () => {
  const t = await setup();
  await t.cache.write(entry('r1', t.now()));
  await t.cache.write(entry('r2', t.now(), { publicModel: 'other' }));
  await t.cache.write(entry('b1', t.now(), { tenant: 'team:blue', team: 'blue', costMicros: 7 }));
  for (let i = 0; i < 3; i++) await t.cache.lookup(['b1']);
  await t.cache.flush();
  const blue = await t.cache.stats({ team: 'blue' });
  expect([blue.entries, blue.hits, blue.savedMicros]).toEqual([1, 3, 21]);
  expect(await t.cache.purge({ team: 'red', model: 'pub' })).toBe(1);
  expect(await t.cache.lookup(['r1'])).toBeUndefined();
  expect(await t.cache.lookup(['r2'])).toBeDefined();
  expect((await t.cache.stats({})).entries).toBe(2);
});

test('the memory front trusts an entry for a bounded time: a purge made elsewhere reaches it', async () => {
  const t = await setup();
  await t.cache.write(entry('a', t.now()));
  const elsewhere = t.make();
  await elsewhere.purge({});
  // Still trusted in this instance's memory for now…
  expect(await t.cache.lookup(['a'])).toBeDefined();
  t.tick(MEMORY_TRUST_MS + 1);
  // …but not past the trust window.
  expect(await t.cache.lookup(['a'])).toBeUndefined();
});

test('a failing database is a miss (and a failed write is logged), never an error', async () => {
  const t = await setup();
  t.store.close();
  stores.splice(0);
  expect(await t.cache.lookup(['a'])).toBeUndefined();
  await t.cache.write(entry('b', t.now()));
});
