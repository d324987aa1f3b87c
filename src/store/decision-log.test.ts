import { expect, test } from 'bun:test';
import { openStore } from './client.ts';
import { migrate } from './migrate.ts';
import { decisionLog, type DecisionRow } from './decision-log.ts';
import { silentLogger } from '../lib/logger.ts';

async function memoryStore() {
  const store = await openStore({ url: ':memory:' });
  await migrate(store.client);
  return store;
}

let n = 0;
const row = (over: Partial<DecisionRow> = {}): DecisionRow => ({
  decisionId: `dec_${n++}`,
  requestId: `req_${n}`,
  createdAt: 1_000_000,
  policyRevision: 'rev',
  allowed: true,
  input: '{}',
  inputBytes: 2,
  result: '{"allowed":true}',
  ...over,
});
const count = async (store: Awaited<ReturnType<typeof memoryStore>>) => Number((await store.client.execute('SELECT count(*) AS n FROM decisions')).rows[0]!.n);
const opts = { sampleRate: 1, denySampleRate: 1, retentionMs: null, maxInputBytes: 1024, maxQueue: 100, intervalMs: 60_000 };

test('queued decisions are written in a batch on flush', async () => {
  const store = await memoryStore();
  const log = decisionLog(store, silentLogger, opts);
  for (let i = 0; i < 50; i++) log.write(row());
  expect(await count(store)).toBe(0);
  await log.flush();
  expect(await count(store)).toBe(50);
  expect(log.stats()).toMatchObject({ written: 50, dropped: 0, backlog: 0 });
  await log.close();
});

test('a full queue drops and counts decisions instead of growing or blocking', async () => {
  const store = await memoryStore();
  const log = decisionLog(store, silentLogger, { ...opts, maxQueue: 10, maxBatch: 1000 });
  for (let i = 0; i < 25; i++) log.write(row());
  expect(log.stats()).toMatchObject({ dropped: 15, backlog: 10 });
  await log.close();
  expect(await count(store)).toBe(10);
});

test('a batch the database refuses is dropped and counted; later ones are written', async () => {
  const store = await memoryStore();
  const log = decisionLog(store, silentLogger, opts);
  await store.client.execute('ALTER TABLE decisions RENAME TO decisions_away');
  log.write(row());
  log.write(row());
  await log.flush();
  expect(log.stats()).toMatchObject({ dropped: 2, written: 0 });
  await store.client.execute('ALTER TABLE decisions_away RENAME TO decisions');
  log.write(row());
  await log.flush();
  expect(log.stats()).toMatchObject({ dropped: 2, written: 1 });
  await log.close();
});

test('sampling keeps its share of allows and, by its own rate, of denies', async () => {
  const store = await memoryStore();
  let r = 0;
  const random = () => (r++ % 10) / 10; // 0.0, 0.1, … 0.9
  const log = decisionLog(store, silentLogger, { ...opts, sampleRate: 0.3, denySampleRate: 1, random });
  const allows = Array.from({ length: 100 }, () => log.wants(true)).filter(Boolean).length;
  const denies = Array.from({ length: 100 }, () => log.wants(false)).filter(Boolean).length;
  expect(allows).toBe(30);
  expect(denies).toBe(100);
  expect(log.stats().sampled_out).toBe(70);
  await log.close();
});

test('the retention purge deletes only rows older than the retention', async () => {
  const store = await memoryStore();
  let now = 10 * 86_400_000;
  const log = decisionLog(store, silentLogger, { ...opts, maxQueue: 20_000, retentionMs: 86_400_000, now: () => now });
  log.write(row({ createdAt: now - 2 * 86_400_000 }));
  log.write(row({ createdAt: now - 3_600_000 }));
  await log.flush();
  expect(await log.purge()).toBe(1);
  expect(await count(store)).toBe(1);
  now += 86_400_000;
  expect(await log.purge()).toBe(1);
  expect(await count(store)).toBe(0);
  // A big backlog goes in chunks, all of it.
  for (let i = 0; i < 12_000; i++) log.write(row({ createdAt: 0 }));
  await log.flush();
  expect(await log.purge()).toBe(12_000);
  expect(await count(store)).toBe(0);
  await log.close();
});

test('record samples, and a row that cannot be built is dropped and counted instead of failing the request', async () => {
  const store = await memoryStore();
  const log = decisionLog(store, silentLogger, { ...opts, sampleRate: 0 });
  let built = 0;
  log.record(true, () => (built++, row()));
  expect(built).toBe(0); // sampled out: nothing is masked or serialised
  expect(() =>
    log.record(false, () => {
      throw new TypeError('Do not know how to serialize a BigInt');
    }),
  ).not.toThrow();
  log.record(false, () => row());
  await log.flush();
  expect(log.stats()).toMatchObject({ sampled_out: 1, dropped: 1, written: 1 });
  await log.close();
});
