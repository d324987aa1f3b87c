import { afterAll, expect, test } from 'bun:test';
import { createClient, LibsqlBatchError, LibsqlError, type Client } from '@libsql/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './client.ts';
import { openLocalClient } from './local-client.ts';
import { fromWire, toWire } from './local-wire.ts';
import { storageCause } from './storage-errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Holds the database thread for ~280 ns a row: seconds of work in one statement, no I/O. */
const busyFor = (rows: number) => `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${rows}) SELECT count(*) AS n FROM c`;
const caught = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

/** The same call on the thread client and on @libsql/client's own (main-thread) client of the same file. */
async function both<T>(threaded: Client, direct: Client, call: (c: Client) => Promise<T>): Promise<[T | Error, T | Error]> {
  const run = (c: Client) => call(c).catch((e: unknown) => e as Error);
  return [await run(threaded), await run(direct)];
}

test('results and errors cross the thread as @libsql/client hands them out', async () => {
  const url = `file:${join(dir, 'values.db')}`;
  const threaded = await openLocalClient({ url, timeoutMs: 5000 });
  const direct = createClient({ url });
  try {
    await threaded.execute('CREATE TABLE v (id INTEGER PRIMARY KEY, t TEXT, r REAL, b BLOB, n)');
    const ins = await threaded.execute({ sql: 'INSERT INTO v VALUES (?, ?, ?, ?, ?)', args: [7, 'é', 1.5, new Uint8Array([0, 255, 1]), null] });
    expect(ins.rowsAffected).toBe(1);
    expect(ins.lastInsertRowid).toBe(7n);
    const [a, b] = await both(threaded, direct, (c) => c.execute({ sql: 'SELECT id, t, r, b, n, CAST(? AS TEXT) AS big, ? AS d FROM v', args: [2n ** 60n, new Date(1000)] }));
    if (a instanceof Error || b instanceof Error) throw a instanceof Error ? a : b;
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(a.columns).toEqual(['id', 't', 'r', 'b', 'n', 'big', 'd']);
    const row = a.rows[0]!;
    expect(Object.keys(row)).toEqual(Object.keys(b.rows[0]!));
    expect(row.length).toBe(7);
    expect([row[0], row.t, row.r, row.n, row.big, row.d]).toEqual([7, 'é', 1.5, null, '1152921504606846976', 1000]);
    expect(row.b).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(row.b as ArrayBuffer)]).toEqual([0, 255, 1]);

    // A constraint, a failing statement in a batch, a value that cannot be bound, an integer too big for a number.
    const calls: ((c: Client) => Promise<unknown>)[] = [
      (c) => c.execute({ sql: 'INSERT INTO v (id) VALUES (?)', args: [7] }),
      (c) => c.batch(['SELECT 1', { sql: 'INSERT INTO v (id) VALUES (?)', args: [7] }], 'write'),
      (c) => c.execute({ sql: 'SELECT ?', args: [undefined as unknown as null] }),
      (c) => c.execute('SELECT 9007199254740993'),
    ];
    for (const call of calls) {
      const [e, want] = await both(threaded, direct, call);
      expect(e).toBeInstanceOf(Error);
      expect(e!.constructor).toBe(want!.constructor);
      expect({ ...(e as object), message: (e as Error).message, name: (e as Error).name, cause: undefined }).toEqual({ ...(want as object), message: (want as Error).message, name: (want as Error).name, cause: undefined });
    }
    const [dup] = await both(threaded, direct, calls[0]!);
    expect(dup).toBeInstanceOf(LibsqlError);
    expect(dup).toMatchObject({ code: 'SQLITE_CONSTRAINT', extendedCode: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    const [inBatch] = await both(threaded, direct, calls[1]!);
    expect(inBatch).toBeInstanceOf(LibsqlBatchError);
    expect((inBatch as LibsqlBatchError).statementIndex).toBe(1);
  } finally {
    threaded.close();
    direct.close();
  }
});

test('transactions hold the one connection as the local client does, and end as they should', async () => {
  const url = `file:${join(dir, 'tx.db')}`;
  const threaded = await openLocalClient({ url, timeoutMs: 5000 });
  try {
    await threaded.execute('CREATE TABLE t (x)');
    const tx = await threaded.transaction('write');
    await tx.execute({ sql: 'INSERT INTO t VALUES (?)', args: [1] });
    expect(tx.closed).toBe(false);
    // One connection: a statement beside an open transaction is refused, not interleaved (in
    // WAL mode a plain read is served beside it: local-reads.test.ts).
    expect(await caught(threaded.execute('SELECT 1'))).toMatchObject({ code: 'TRANSACTION_ACTIVE' });
    expect(await caught(threaded.execute({ sql: 'INSERT INTO t VALUES (?)', args: [9] }))).toMatchObject({ code: 'TRANSACTION_ACTIVE' });
    await tx.rollback();
    expect(tx.closed).toBe(true);
    const tx2 = await threaded.transaction('write');
    await tx2.batch([{ sql: 'INSERT INTO t VALUES (?)', args: [2] }, { sql: 'INSERT INTO t VALUES (?)', args: [3] }]);
    await tx2.commit();
    tx2.close();
    expect(await caught(tx2.commit())).toMatchObject({ code: 'TRANSACTION_CLOSED' });
    expect((await threaded.execute('SELECT group_concat(CAST(x AS INTEGER)) AS xs FROM t')).rows[0]!.xs).toBe('2,3');
  } finally {
    threaded.close();
  }
  expect(threaded.closed).toBe(true);
  expect(await caught(threaded.execute('SELECT 1'))).toMatchObject({ code: 'CLIENT_CLOSED' });
});

test('a statement that holds the database thread for seconds does not hold the event loop', async () => {
  const store = await openStore({ url: `file:${join(dir, 'busy.db')}` });
  try {
    const started = performance.now();
    let done = false;
    const heavy = store.client.execute(busyFor(5_000_000)).finally(() => (done = true));
    let worstLag = 0;
    let ticks = 0;
    while (!done) {
      const t = performance.now();
      await Bun.sleep(10);
      worstLag = Math.max(worstLag, performance.now() - t - 10);
      ticks++;
    }
    expect((await heavy).rows[0]!.n).toBe(5_000_000);
    const stalled = performance.now() - started;
    console.log(`database thread busy ${stalled.toFixed(0)} ms; event loop ticked ${ticks} times, worst lag ${worstLag.toFixed(1)} ms`);
    expect(stalled).toBeGreaterThan(500);
    expect(worstLag).toBeLessThan(100);
  } finally {
    store.close();
  }
});

test('a thread that does not answer in time fails the waiting calls and new ones at once, skips what it never reached, and serves again once it moves', async () => {
  const store = await openStore({ url: `file:${join(dir, 'stall.db')}`, statement_timeout_ms: 300 });
  try {
    await store.client.execute('CREATE TABLE t (x)');
    const started = performance.now();
    const heavy = caught(store.client.execute(busyFor(8_000_000)));
    // Posted behind the stuck statement, before the bound ran out: given up on, so never written.
    const queued = caught(store.client.execute({ sql: 'INSERT INTO t VALUES (?)', args: [1] }));
    const e = await heavy;
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(1500);
    // A storage failure: a 503 with Retry-After to callers, a journalled batch to the ledger.
    expect(e).toMatchObject({ kind: 'unavailable', code: 'storage_unavailable' });
    expect(storageCause(e)).toBe('DATABASE_STALLED');
    expect(storageCause(await queued)).toBe('DATABASE_STALLED');
    // While it is stuck, new calls fail without waiting for the bound again.
    const t = performance.now();
    expect(storageCause(await caught(store.client.execute('SELECT 1')))).toBe('DATABASE_STALLED');
    expect(performance.now() - t).toBeLessThan(50);
    // The heavy statement ends; the thread answers again.
    let back = false;
    for (let i = 0; i < 200 && !back; i++) {
      await Bun.sleep(50);
      back = (await caught(store.client.execute('SELECT 1'))) === undefined;
    }
    expect(back).toBe(true);
    expect((await store.client.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(0);
    await store.client.execute({ sql: 'INSERT INTO t VALUES (?)', args: [2] });
    expect((await store.client.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(1);
  } finally {
    store.close();
  }
});

test('a transaction begun after its caller gave up is ended on the thread, not left holding the connection', async () => {
  const store = await openStore({ url: `file:${join(dir, 'txstall.db')}`, statement_timeout_ms: 300 });
  try {
    const heavy = caught(store.client.execute(busyFor(5_000_000)));
    const begun = caught(store.client.transaction('write'));
    expect(storageCause(await heavy)).toBe('DATABASE_STALLED');
    expect(storageCause(await begun)).toBe('DATABASE_STALLED');
    let back = false;
    for (let i = 0; i < 200 && !back; i++) {
      await Bun.sleep(50);
      back = (await caught(store.client.execute('SELECT 1'))) === undefined;
    }
    expect(back).toBe(true);
    // The connection is free: a new transaction begins and commits.
    const tx = await store.client.transaction('write');
    await tx.execute('CREATE TABLE after_stall (x)');
    await tx.commit();
  } finally {
    store.close();
  }
});

test('values JSON carries and values it would change cross the thread unchanged, whichever way they go', async () => {
  const url = `file:${join(dir, 'wire.db')}`;
  const threaded = await openLocalClient({ url, timeoutMs: 5000 });
  const direct = createClient({ url });
  try {
    const calls: ((c: Client) => Promise<unknown>)[] = [
      // JSON-safe: strings (a lone surrogate, NUL, emoji), floats, the largest safe integer, named args.
      (c) => c.execute({ sql: 'SELECT ? AS s, ? AS z, ? AS f, ? AS i, ? AS t', args: ['\ud800x\u0000😀', '', 0.1 + 0.2, Number.MAX_SAFE_INTEGER, true] }),
      (c) => c.execute({ sql: 'SELECT :a AS a, :b AS b', args: { a: 'x', b: 2 } }),
      // What JSON would change: -0, infinities from SQLite, a bigint, a blob, a Date.
      (c) => c.execute({ sql: 'SELECT ? AS m, 1e999 AS inf, -1e999 AS ninf, CAST(? AS TEXT) AS big, ? AS blob, ? AS d', args: [-0, 2n ** 62n, new Uint8Array([1, 2]), new Date(5)] }),
      (c) => c.batch([{ sql: 'SELECT ? AS a', args: ['é'] }, { sql: 'SELECT ? AS b', args: [-0] }], 'read'),
    ];
    for (const call of calls) {
      const [a, b] = await both(threaded, direct, call);
      if (a instanceof Error || b instanceof Error) throw a instanceof Error ? a : b;
      const json = (r: unknown) => (Array.isArray(r) ? r.map((x: { toJSON(): unknown }) => x.toJSON()) : (r as { toJSON(): unknown }).toJSON());
      expect(json(a)).toEqual(json(b));
      const rows = (r: unknown) => (Array.isArray(r) ? r.flatMap((x: { rows: unknown[] }) => x.rows) : (r as { rows: unknown[] }).rows).map((row) => Array.from(row as ArrayLike<unknown>));
      // Object.is: -0 stays -0, infinities stay infinite.
      const [ra, rb] = [rows(a), rows(b)];
      ra.forEach((row, i) => row.forEach((v, j) => (v instanceof ArrayBuffer ? expect([...new Uint8Array(v)]).toEqual([...new Uint8Array(rb[i]![j] as ArrayBuffer)]) : expect(Object.is(v, rb[i]![j])).toBe(true))));
    }
  } finally {
    threaded.close();
    direct.close();
  }
});

test('the response cache lookup and its empty answer cross as JSON; a bigint or a blob keeps the structured clone', () => {
  const lookup = { op: 'execute', stmt: { sql: 'SELECT * FROM cache_entries WHERE key IN (?) AND expires_at > ?', args: ['k1', 1700000000000] }, id: 3 };
  expect(typeof toWire(lookup)).toBe('string');
  expect(fromWire(toWire(lookup))).toEqual(lookup);
  const empty = { id: 3, ok: true, value: { columns: ['key'], columnTypes: ['TEXT'], rows: [], rowsAffected: 0, lastInsertRowid: undefined } };
  expect(fromWire(toWire(empty))).toEqual({ ...empty, value: { ...empty.value } });
  for (const v of [1n, new Uint8Array([1]), new ArrayBuffer(1), new Date(0), -0, Number.NaN, Infinity, [undefined]]) {
    const m = { op: 'execute', stmt: { sql: 'SELECT ?', args: [v] }, id: 4 };
    expect(toWire(m)).toBe(m);
  }
});
