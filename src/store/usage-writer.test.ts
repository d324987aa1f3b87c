import { expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@libsql/client';
import { openStore, type Store } from './client.ts';
import { migrate } from './migrate.ts';
import { usageWriter } from './usage-writer.ts';
import { usageJournal } from './usage-journal.ts';
import type { UsageRecord } from './usage-record.ts';
import { silentLogger, type Logger } from '../lib/logger.ts';

/** A store whose writes fail while `down` is set, as a stopped sqld or a full disk would. */
async function flakyStore(dir: string) {
  const real = await openStore({ url: `file:${join(dir, 'db.sqlite')}` });
  await migrate(real.client);
  const state = { down: false };
  const refuse = () => Promise.reject(new Error('SQLITE_FULL: database or disk is full'));
  const client = new Proxy(real.client, {
    get(target, prop, receiver) {
      if (state.down && (prop === 'execute' || prop === 'batch' || prop === 'transaction')) return refuse;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as Client;
  const store: Store = { ...real, client };
  return { store, state, real };
}

let n = 0;
const record = (over: Partial<UsageRecord> = {}): UsageRecord => ({
  request_id: `req_${process.pid}_${n++}`,
  endpoint: 'chat.completions',
  key_name: 'k',
  key_id: 'key_1',
  requested_model: 'm',
  status: 200,
  outcome: 'ok',
  stream: false,
  usage: { input_tokens: 5, output_tokens: 1, cached_input_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 },
  attempts: [],
  cost_micros: 10,
  price_version: 'pl_x',
  usage_source: 'provider',
  latency_ms: 1,
  ...over,
});

async function counts(s: Store) {
  const rows = Number((await s.client.execute('SELECT count(*) AS n, count(DISTINCT request_id) AS d FROM usage')).rows[0]!.n);
  const spend = (await s.client.execute("SELECT spent_micros AS m, requests AS r FROM spend WHERE scope = 'key' AND period = 'day'")).rows[0];
  return { rows, spent: Number(spend?.m ?? 0), requests: Number(spend?.r ?? 0) };
}

test('rows the database refuses go to the journal and arrive exactly once when it is back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-journal-'));
  const { store, state, real } = await flakyStore(dir);
  const w = usageWriter(store, silentLogger, { intervalMs: 60_000, journal: usageJournal(join(dir, 'journal'), 1 << 20) });
  for (let i = 0; i < 3; i++) w.write(record());
  await w.flush();
  state.down = true;
  for (let i = 0; i < 250; i++) w.write(record());
  await w.flush();
  expect(w.health()).toMatchObject({ status: 'journalling', backlog: 0 });
  expect(w.health().journal_bytes).toBeGreaterThan(0);
  expect(w.health().last_error).toContain('SQLITE_FULL');
  expect(w.accepting()).toBe(true);
  const [file] = readdirSync(join(dir, 'journal'));
  expect(readFileSync(join(dir, 'journal', file!), 'utf8').trim().split('\n')).toHaveLength(250);
  state.down = false;
  await w.flush();
  expect(w.health()).toMatchObject({ status: 'ok', backlog: 0, journal_bytes: 0 });
  expect(await counts(real)).toEqual({ rows: 253, spent: 2530, requests: 253 });
  await w.close();
  real.close();
});

test('with the journal unwritable too, the writer stops accepting and keeps the rows for the close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-journal-'));
  writeFileSync(join(dir, 'plain'), 'x');
  const { store, state, real } = await flakyStore(dir);
  const logged: string[] = [];
  const logger: Logger = { ...silentLogger, error: (msg) => void logged.push(msg) };
  const w = usageWriter(store, logger, { intervalMs: 60_000, journal: usageJournal(join(dir, 'plain', 'journal'), 1 << 20) });
  state.down = true;
  w.write(record());
  w.write(record());
  await w.flush();
  expect(w.accepting()).toBe(false);
  expect(w.health()).toMatchObject({ status: 'failing_closed', backlog: 2 });
  await w.close();
  expect(logged.filter((m) => m === 'unrecorded usage row')).toHaveLength(2);
  real.close();
});

test('/readyz read during a flush still counts the batch being written, and names each store that refuses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-journal-'));
  writeFileSync(join(dir, 'plain'), 'x');
  const { store, real } = await flakyStore(dir);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow = { ...store, client: new Proxy(store.client, { get: (t, p) => (p === 'execute' || p === 'batch' ? () => gate.then(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1'))) : Reflect.get(t, p)) }) as Client };
  const w = usageWriter(slow, silentLogger, { intervalMs: 60_000, journal: usageJournal(join(dir, 'plain', 'journal'), 1 << 20) });
  w.write(record());
  w.write(record());
  const flushing = w.flush();
  await Bun.sleep(5);
  expect(w.health().backlog).toBe(2);
  release();
  await flushing;
  const h = w.health();
  expect(h).toMatchObject({ status: 'failing_closed', backlog: 2 });
  expect(h.database_error).toContain('ECONNREFUSED');
  expect(h.journal_error).toContain('ENOTDIR');
  await w.close();
  real.close();
});

test('rows commit only with their spend: a database that refuses the spend update keeps the rows out too, and the replay books both once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-journal-'));
  const { store, real } = await flakyStore(dir);
  // The spend upsert fails inside the database while the row insert alone would succeed.
  await real.client.execute("CREATE TRIGGER refuse_spend BEFORE INSERT ON spend BEGIN SELECT RAISE(ABORT, 'SQLITE_IOERR: disk I/O error'); END");
  const w = usageWriter(store, silentLogger, { intervalMs: 60_000, journal: usageJournal(join(dir, 'journal'), 1 << 20) });
  for (let i = 0; i < 5; i++) w.write(record());
  await w.flush();
  // Before, the 5 rows were stored and their spend only logged as not updated: the ledger said
  // 50 µ$ and the budget counter 0.
  expect(await counts(real)).toEqual({ rows: 0, spent: 0, requests: 0 });
  expect(w.health().status).toBe('journalling');
  await real.client.execute('DROP TRIGGER refuse_spend');
  await w.flush();
  expect(await counts(real)).toEqual({ rows: 5, spent: 50, requests: 5 });
  await w.close();
  real.close();
});

test('a full journal fails closed; the database coming back opens it again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-journal-'));
  const { store, state, real } = await flakyStore(dir);
  const w = usageWriter(store, silentLogger, { intervalMs: 60_000, journal: usageJournal(join(dir, 'journal'), 4096) });
  state.down = true;
  for (let i = 0; i < 3; i++) w.write(record());
  await w.flush();
  expect(w.accepting()).toBe(true);
  for (let i = 0; i < 20; i++) w.write(record());
  await w.flush();
  expect(w.health()).toMatchObject({ status: 'failing_closed', backlog: 20 });
  expect(w.health().last_error).toContain('journal full');
  state.down = false;
  await w.flush();
  expect(w.health()).toMatchObject({ status: 'ok', backlog: 0, journal_bytes: 0 });
  expect((await counts(real)).rows).toBe(23);
  await w.close();
  real.close();
});

test('a replay cut between commit and truncate replays again without a duplicate row or double spend', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-journal-'));
  const { store, state, real } = await flakyStore(dir);
  const jdir = join(dir, 'journal');
  const w = usageWriter(store, silentLogger, { intervalMs: 60_000, journal: usageJournal(jdir, 1 << 20) });
  state.down = true;
  for (let i = 0; i < 120; i++) w.write(record());
  await w.flush();
  const [file] = readdirSync(jdir);
  const journalled = readFileSync(join(jdir, file!), 'utf8');
  // What a crash after the commit leaves: the rows in the database and the file still there
  // (here as the journal of a process that is gone).
  writeFileSync(join(jdir, 'ledger-999999999-1-dead.jsonl'), journalled);
  state.down = false;
  await w.flush();
  expect(await counts(real)).toEqual({ rows: 120, spent: 1200, requests: 120 });
  await w.close();
  // The same again at the next start, with a torn last line (a crash mid-append): skipped, not fatal.
  writeFileSync(join(jdir, 'ledger-999999998-1-dead.jsonl'), journalled + '{"row":{"requestId":"req_t');
  const next = usageWriter(store, silentLogger, { intervalMs: 60_000, journal: usageJournal(jdir, 1 << 20) });
  expect(await next.recover()).toEqual({ rows: 120, files: 1 });
  expect(await counts(real)).toEqual({ rows: 120, spent: 1200, requests: 120 });
  expect(readdirSync(jdir).filter((f) => f.includes('dead'))).toEqual([]);
  await next.close();
  real.close();
});

test('replay time for 20,000 journalled rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-journal-'));
  const { store, state, real } = await flakyStore(dir);
  const w = usageWriter(store, silentLogger, { intervalMs: 60_000, journal: usageJournal(join(dir, 'journal'), 256 << 20) });
  state.down = true;
  for (let i = 0; i < 20_000; i++) w.write(record());
  await w.flush();
  const bytes = w.health().journal_bytes;
  await w.close();
  state.down = false;
  // The next start is another process: this one's file is then the journal of one that is gone.
  const [file] = readdirSync(join(dir, 'journal'));
  renameSync(join(dir, 'journal', file!), join(dir, 'journal', 'ledger-999999999-1-dead.jsonl'));
  const next = usageWriter(store, silentLogger, { intervalMs: 60_000, journal: usageJournal(join(dir, 'journal'), 256 << 20) });
  const started = performance.now();
  const { rows } = await next.recover();
  const ms = performance.now() - started;
  console.log(`journal replay (file database): ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms (${Math.round(rows / (ms / 1000))} rows/s)`);
  expect(rows).toBe(20_000);
  expect((await counts(real)).rows).toBe(20_000);
  await next.close();
  real.close();
}, 60_000);

test('the parameters a request had dropped are stored on its row (dropped_params)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-dropped-'));
  const { store, real } = await flakyStore(dir);
  const w = usageWriter(store, silentLogger, { intervalMs: 60_000 });
  w.write(record({ request_id: 'req_dropped', dropped_params: ['image_url.detail', 'service_tier'] }));
  w.write(record({ request_id: 'req_plain' }));
  await w.flush();
  const rows = (await real.client.execute("SELECT request_id, dropped_params FROM usage WHERE request_id IN ('req_dropped', 'req_plain') ORDER BY request_id")).rows;
  expect(rows.map((r) => [r.request_id, r.dropped_params])).toEqual([['req_dropped', 'image_url.detail,service_tier'], ['req_plain', null]]);
  await w.close();
  real.close();
});
