import { afterAll, expect, test } from 'bun:test';
import { createClient, type Client, type InStatement } from '@libsql/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalClient } from './local-client.ts';
import { openReadPath, plainFilePath } from './local-reads.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg-reads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const caught = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

/** The same statement on the thread client (read path or not) and on @libsql/client's own client: the same answer or the same error. */
async function same(threaded: Client, direct: Client, stmt: InStatement): Promise<void> {
  const [a, b] = [await threaded.execute(stmt).catch((e: unknown) => e as Error), await direct.execute(stmt).catch((e: unknown) => e as Error)];
  if (a instanceof Error || b instanceof Error) {
    expect(a).toBeInstanceOf(Error);
    expect(b).toBeInstanceOf(Error);
    expect([(a as Error).name, (a as Error).message]).toEqual([(b as Error).name, (b as Error).message]);
    return;
  }
  expect(a.toJSON()).toEqual(b.toJSON());
  expect(a.columns).toEqual(b.columns);
  expect(a.columnTypes).toEqual(b.columnTypes);
  for (const [i, row] of a.rows.entries()) {
    expect(Object.keys(row)).toEqual(Object.keys(b.rows[i]!));
    expect([...Array(row.length).keys()].map((k) => row[k])).toEqual([...Array(b.rows[i]!.length).keys()].map((k) => b.rows[i]![k]));
  }
}

test('a plain file URL names its file; anything else is left to the client', () => {
  expect(plainFilePath('file:/var/lib/tollgate/db.sqlite')).toBe('/var/lib/tollgate/db.sqlite');
  expect(plainFilePath('file:///var/db.sqlite')).toBe('/var/db.sqlite');
  expect(plainFilePath('file:./data/db.sqlite')).toBe('./data/db.sqlite');
  expect(plainFilePath('file:/a/db.sqlite?mode=ro')).toBeUndefined();
  expect(plainFilePath('file:/a/my%20db.sqlite')).toBeUndefined();
  expect(plainFilePath('file://host/db.sqlite')).toBeUndefined();
  expect(plainFilePath('libsql://db.example')).toBeUndefined();
  // One connection only: a second would open another, empty database.
  expect(plainFilePath('file::memory:')).toBeUndefined();
});

test('reads answer as @libsql/client does: values, column names and types, duplicate names, unsafe integers and blobs, errors', async () => {
  const url = `file:${join(dir, 'values.db')}`;
  const threaded = await openLocalClient({ url, timeoutMs: 5000 });
  const direct = createClient({ url });
  try {
    await threaded.execute('PRAGMA journal_mode=WAL');
    await threaded.execute('CREATE TABLE v (id INTEGER PRIMARY KEY, t TEXT, r REAL, b BLOB, n, big INTEGER)');
    await threaded.execute({ sql: 'INSERT INTO v VALUES (?, ?, ?, ?, ?, ?)', args: [7, 'é', 1.5, new Uint8Array([0, 255, 1]), null, 5] });
    await threaded.execute({ sql: 'INSERT INTO v VALUES (?, ?, ?, ?, ?, ?)', args: [8, '', -0.25, null, 3, 2n ** 60n] });
    for (const stmt of [
      'SELECT id, t, r, n FROM v ORDER BY id',
      { sql: 'SELECT * FROM v WHERE id = ?', args: [7] }, // a blob: the client's path
      { sql: 'SELECT big FROM v WHERE id = ?', args: [8] }, // above 2^53: the client's RangeError
      { sql: 'SELECT id AS x, t AS x FROM v WHERE id IN (?, ?)', args: [7, 8] },
      { sql: 'SELECT id FROM v WHERE t = :t', args: { t: 'é' } }, // named arguments
      { sql: 'SELECT ? AS yes, ? AS d', args: [true, new Date(1000)] }, // converted arguments
      { sql: 'SELECT id FROM v WHERE id = ?', args: [Number.NaN] }, // refused by the client
      'SELECT nope FROM v', // an error
      '  select count(*) AS n FROM v',
      'SELECT 1 AS one WHERE 0',
    ] as InStatement[]) {
      await same(threaded, direct, stmt);
    }
    // The writing connection's own state is answered by the client, whose connection it is.
    await threaded.execute({ sql: 'INSERT INTO v (id, t) VALUES (?, ?)', args: [42, 'x'] });
    expect((await threaded.execute('SELECT last_insert_rowid() AS id, changes() AS c')).rows[0]).toMatchObject({ id: 42, c: 1 });
  } finally {
    threaded.close();
    direct.close();
  }
});

test('in WAL mode a read beside an open transaction sees the last commit; a write beside it is refused', async () => {
  const threaded = await openLocalClient({ url: `file:${join(dir, 'beside.db')}`, timeoutMs: 5000 });
  try {
    await threaded.execute('PRAGMA journal_mode=WAL');
    await threaded.execute('CREATE TABLE t (x)');
    const tx = await threaded.transaction('write');
    await tx.execute({ sql: 'INSERT INTO t VALUES (?)', args: [1] });
    expect((await threaded.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(0);
    expect(await caught(threaded.execute({ sql: 'INSERT INTO t VALUES (?)', args: [2] }))).toMatchObject({ code: 'TRANSACTION_ACTIVE' });
    await tx.commit();
    expect((await threaded.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(1);
  } finally {
    threaded.close();
  }
});

test('a read follows the writes sent before it; statements that are not plain SELECTs take the client path', async () => {
  const url = `file:${join(dir, 'order.db')}`;
  const threaded = await openLocalClient({ url, timeoutMs: 5000 });
  try {
    await threaded.execute('PRAGMA journal_mode=WAL');
    await threaded.execute('CREATE TABLE t (x INTEGER)');
    const reads: Promise<unknown>[] = [];
    for (let i = 1; i <= 50; i++) {
      void threaded.execute({ sql: 'INSERT INTO t VALUES (?)', args: [i] });
      reads.push(threaded.execute('SELECT count(*) AS n FROM t').then((r) => r.rows[0]!.n));
    }
    // Sent without waiting, answered in order: the i-th read saw i rows.
    expect(await Promise.all(reads)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // Writes that return rows, and schema changes the cached statements must see.
    expect((await threaded.execute({ sql: 'INSERT INTO t VALUES (?) RETURNING x', args: [99] })).rows[0]!.x).toBe(99);
    expect((await threaded.execute('WITH c AS (SELECT max(x) AS m FROM t) SELECT m FROM c')).rows[0]!.m).toBe(99);
    await threaded.execute('ALTER TABLE t ADD COLUMN y TEXT');
    expect((await threaded.execute('SELECT * FROM t WHERE x = 99')).columns).toEqual(['x', 'y']);
    expect(await caught(threaded.execute('SELECT z FROM t'))).toMatchObject({ code: 'SQLITE_ERROR' });
  } finally {
    threaded.close();
  }
});

test('the read path keeps its statements: a repeated lookup is prepared once', () => {
  const file = join(dir, 'kept.db');
  const setup = createClient({ url: `file:${file}` });
  return setup.execute('PRAGMA journal_mode=WAL').then(async () => {
    await setup.execute('CREATE TABLE k (key TEXT PRIMARY KEY, v INTEGER)');
    await setup.execute({ sql: 'INSERT INTO k VALUES (?, ?)', args: ['a', 1] });
    setup.close();
    const reads = openReadPath(`file:${file}`)!;
    try {
      const first = reads.read({ sql: 'SELECT v FROM k WHERE key = ?', args: ['a'] });
      expect(first?.rows).toEqual([[1]]);
      const started = performance.now();
      for (let i = 0; i < 2000; i++) reads.read({ sql: 'SELECT v FROM k WHERE key = ?', args: ['a'] });
      const perCall = ((performance.now() - started) / 2000) * 1000;
      console.log(`kept-statement point read: ${perCall.toFixed(1)} µs per call`);
      expect(reads.read({ sql: 'INSERT INTO k VALUES (?, ?)', args: ['b', 2] })).toBeUndefined();
      expect(reads.read('PRAGMA user_version')).toBeUndefined();
    } finally {
      reads.close();
    }
  });
});

test('before WAL (or without it) reads are the client\'s: a read beside an open transaction is refused at once, not after a lock wait', async () => {
  const url = `file:${join(dir, 'rollback.db')}`;
  const threaded = await openLocalClient({ url, timeoutMs: 5000 });
  try {
    await threaded.execute('CREATE TABLE t (x)');
    const tx = await threaded.transaction('write');
    await tx.execute({ sql: 'INSERT INTO t VALUES (?)', args: [1] });
    const started = performance.now();
    expect(await caught(threaded.execute('SELECT count(*) AS n FROM t'))).toMatchObject({ code: 'TRANSACTION_ACTIVE' });
    expect(performance.now() - started).toBeLessThan(1000);
    await tx.rollback();
    expect((await threaded.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(0);
  } finally {
    threaded.close();
  }
});

test('a read locked out by another process is waited for once (the client\'s busy timeout), not twice', async () => {
  const file = join(dir, 'locked.db');
  const url = `file:${file}`;
  const threaded = await openLocalClient({ url, timeoutMs: 10_000 });
  const other = createClient({ url });
  try {
    await threaded.execute('PRAGMA journal_mode=WAL');
    await threaded.execute('CREATE TABLE t (x)');
    expect((await threaded.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(0);
    // Another connection holds an exclusive lock; in WAL mode readers are not blocked by it.
    const tx = await other.transaction('write');
    await tx.execute({ sql: 'INSERT INTO t VALUES (?)', args: [1] });
    const started = performance.now();
    expect((await threaded.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(0);
    expect(performance.now() - started).toBeLessThan(1000);
    await tx.commit();
    expect((await threaded.execute('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe(1);
  } finally {
    threaded.close();
    other.close();
  }
});
