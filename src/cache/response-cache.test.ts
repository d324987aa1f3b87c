import { afterEach, expect, test } from 'bun:test';
import { cacheSchema, type CacheConfig } from '../config/cache-schema.ts';
import { silentLogger } from '../lib/logger.ts';
import { openStore, type Store } from '../store/client.ts';
import { migrate } from '../store/migrate.ts';
import type { CacheEntry } from '../store/cache-entries.ts';
import { createResponseCache } from './response-cache.ts';

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

test('a purge, eviction or replacement made by another instance is seen by this memory front at once', async () => {
  const t = await setup();
  await t.cache.write(entry('a', t.now()));
  await t.cache.write(entry('b', t.now()));
  await t.cache.write(entry('c', t.now()));
  // The memory copy serves while the database holds that very entry: the row's answer is not read again.
  await t.store.client.execute("UPDATE cache_entries SET answer = '{\"changed\":1}' WHERE key = 'a'");
  expect((await t.cache.lookup(['a']))?.answer).toBe(JSON.stringify({ k: 'a' }));
  const elsewhere = t.make();
  await elsewhere.purge({ model: 'pub' });
  expect(await t.cache.lookup(['a'])).toBeUndefined();
  expect(await t.cache.lookup(['b'])).toBeUndefined();
  // Replaced elsewhere by a newer answer: this instance serves the newer one, not its old copy.
  await t.cache.write(entry('c2', t.now(), { answer: '{"old":1}' }));
  t.tick(5);
  await elsewhere.write(entry('c2', t.now(), { answer: '{"new":1}' }));
  expect((await t.cache.lookup(['c2']))?.answer).toBe('{"new":1}');
});

test('an entry reaches the memory front once its row is in the database; a slow database does not queue answers without bound', async () => {
  const t = await setup();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const real = t.store.client.execute.bind(t.store.client);
  // Writes wait; reads go through.
  t.store.client.execute = (async (q: Parameters<typeof real>[0]) => {
    if (JSON.stringify(q).includes("INSERT INTO cache_entries")) await held;
    return real(q);
  }) as typeof real;
  const warned: string[] = [];
  const cache = createResponseCache({ store: t.store, logger: { ...silentLogger, warn: (m: string) => void warned.push(m) }, config: () => cacheSchema.parse({}), wall: () => t.now() });
  const big = 'x'.repeat(1024 * 1024 - 64);
  const writes = Array.from({ length: 40 }, (_, i) => cache.write(entry(`big${i}`, t.now(), { answer: JSON.stringify(big) })));
  expect(await cache.lookup(['big0'])).toBeUndefined();
  release();
  await Promise.all(writes);
  await cache.flush();
  const stored = await count(t.store);
  // 32 MiB of backlog at most: the rest were not stored, said once in the log.
  expect(stored).toBeGreaterThan(20);
  expect(stored).toBeLessThan(40);
  expect(warned.filter((m) => m.includes('behind'))).toHaveLength(1);
  expect((await cache.lookup(['big0']))?.key).toBe('big0');
});

test('a failing database is a miss (and a failed write is logged), never an error', async () => {
  const t = await setup();
  t.store.close();
  stores.splice(0);
  expect(await t.cache.lookup(['a'])).toBeUndefined();
  await t.cache.write(entry('b', t.now()));
});
