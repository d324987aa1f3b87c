import { expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from 'bun:sqlite';
import { DatabaseError, displayUrl, openStore } from './client.ts';
import { startDatabaseThread } from './database-thread.ts';
import { openLocalReady } from './local-client.ts';
import { migrate, NewerDatabaseError, newerMigrations } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { storageCause } from './storage-errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-client-'));

test('a database that cannot be used fails with one line naming it and the fix', async () => {
  writeFileSync(join(dir, 'plain'), 'x');
  const cases: [string, RegExp][] = [
    ['http://127.0.0.1:1', /^database http:\/\/127\.0\.0\.1:1: cannot reach it \(.+\); check database\.url, database\.auth_token and that the server is running$/],
    [`file:${dir}/plain/sub/t.db`, /^database file:.+: cannot create the directory .+ \(ENOTDIR\); fix database\.url or the permissions$/],
    ['libsql://', /^database libsql:\/\/: not a usable URL \(.+\); fix database\.url$/],
  ];
  for (const [url, message] of cases) {
    const e = await openStore({ url }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(DatabaseError);
    expect((e as Error).message).toMatch(message);
    expect((e as Error).message).not.toContain('\n');
  }
});

test('a database migrated by a newer Tollgate is refused, and reported without changing it', async () => {
  const store = await openStore({ url: `file:${dir}/newer.db` });
  try {
    expect(await newerMigrations(store.client)).toEqual([]);
    await migrate(store.client);
    await store.client.execute("INSERT INTO tollgate_migrations (tag, applied_at) VALUES ('0042_future', 0)");
    expect(await newerMigrations(store.client)).toEqual(['0042_future']);
    // Not `expect(promise).rejects`: Bun's expect waits for a pending promise without delivering
    // the database thread's messages, so it would wait for the stall bound instead.
    expect(await migrate(store.client).catch((e: unknown) => e)).toBeInstanceOf(NewerDatabaseError);
  } finally {
    store.close();
  }
});

test('tokens in a URL are not shown', () => {
  expect(displayUrl('libsql://db.turso.io?authToken=secret&x=1')).toBe('libsql://db.turso.io?authToken=***&x=1');
});

test('a database thread started ahead opens a local file, and is ended when the database is not one', async () => {
  const ahead = startDatabaseThread();
  const store = await openStore({ url: `file:${dir}/ahead.db` }, ahead);
  try {
    expect(ahead.take()).toBeUndefined(); // taken by the store
    await migrate(store.client);
    expect((await store.client.execute('SELECT count(*) AS n FROM tollgate_migrations')).rows[0]!.n).toBeGreaterThan(0);
  } finally {
    store.close();
  }
  const unused = startDatabaseThread();
  const memory = await openStore({ url: ':memory:' }, unused);
  memory.close();
  expect(unused.take()).toBeUndefined(); // ended, not left running
});

test('with `migrate`, a local file is migrated on its thread behind the open: the tags applied, then none', async () => {
  const url = `file:${dir}/migrated-ahead.db`;
  const first = await openStore({ url }, startDatabaseThread(), { migrate: true });
  try {
    const applied = await first.migrated;
    expect(applied?.length).toBeGreaterThan(10);
    expect(applied?.[0]).toBe('0000_init');
    // The settings were made on the thread too.
    expect((await first.client.execute('PRAGMA journal_mode')).rows[0]?.[0]).toBe('wal');
    expect(await migrate(first.client)).toEqual([]);
    await first.client.execute("INSERT INTO tollgate_migrations (tag, applied_at) VALUES ('0042_future', 0)");
  } finally {
    first.close();
  }
  // A newer database's refusal crosses from the thread with its name and message.
  const second = await openStore({ url }, undefined, { migrate: true });
  try {
    const e = await second.migrated?.catch((err: unknown) => err);
    expect((e as Error).name).toBe('NewerDatabaseError');
    expect((e as Error).message).toBe(new NewerDatabaseError(['0042_future']).message);
  } finally {
    second.close();
  }
  // Without it (the CLI's commands), the opener migrates.
  const plain = await openStore({ url: `file:${dir}/migrated-by-caller.db` });
  try {
    expect(plain.migrated).toBeUndefined();
  } finally {
    plain.close();
  }
});

test('a file its settings cannot be made on is refused, and what was queued behind them does not touch it', async () => {
  const file = join(dir, 'not-a-database.db');
  const bytes = new Uint8Array(8192).fill(7);
  writeFileSync(file, bytes);
  const opening = openLocalReady({ url: `file:${file}`, timeoutMs: 5000, busyTimeoutMs: 5000 }, undefined, true);
  const client = await opening.client;
  const setup = await opening.setup.catch((e: unknown) => e);
  expect((setup as Error).message).toMatch(/not a database/);
  // The migrations were posted at once behind the settings; they refuse rather than run.
  const migrated = await opening.migrated?.catch((e: unknown) => e);
  expect((migrated as { code?: string }).code).toBe('NOT_SET_UP');
  client.close();
  expect(new Uint8Array(readFileSync(file))).toEqual(bytes);
  const e = await openStore({ url: `file:${file}` }, undefined, { migrate: true }).catch((err: unknown) => err);
  expect((e as Error).message).toMatch(/cannot open it .*is it a Tollgate database\?$/);
});

test('migrations stuck behind a lock stop once the opener gave up: only the one in flight lands', async () => {
  const file = join(dir, 'older.db');
  // An older database: all but the last 4 migrations applied.
  const db = new Database(file);
  db.exec('PRAGMA journal_mode=WAL');
  db.exec('CREATE TABLE tollgate_migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const seeded = MIGRATIONS.length - 4;
  for (const m of MIGRATIONS.slice(0, seeded)) {
    for (const s of m.sql.split('--> statement-breakpoint').map((x) => x.trim()).filter(Boolean)) db.exec(s);
    db.run('INSERT INTO tollgate_migrations VALUES (?, 0)', [m.tag]);
  }
  const recorded = () => (db.query('SELECT count(*) AS n FROM tollgate_migrations').get() as { n: number }).n;
  // Another process holds the write lock past the opener's 300 ms bound (POSIX locks do not
  // part connections of one process that use two SQLite libraries).
  const holder = Bun.spawn([process.execPath, '-e', `import { Database } from 'bun:sqlite'; const d = new Database(${JSON.stringify(file)}); d.exec('BEGIN IMMEDIATE'); d.exec('CREATE TABLE IF NOT EXISTS theirs (x)'); console.log('locked'); await Bun.sleep(900); d.exec('COMMIT');`], { stdout: 'pipe' });
  await holder.stdout.getReader().read();
  const store = await openStore({ url: `file:${file}`, statement_timeout_ms: 300 }, undefined, { migrate: true });
  const e = await store.migrated?.catch((err: unknown) => err);
  expect(storageCause(e)).toBe('DATABASE_STALLED');
  expect(recorded()).toBe(seeded);
  await holder.exited;
  await Bun.sleep(600); // the lock is gone; the thread finishes the migration it was in, no more
  expect(recorded()).toBe(seeded + 1);
  store.close();
  db.close();
});
