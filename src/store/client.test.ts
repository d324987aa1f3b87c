import { expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseError, displayUrl, openStore } from './client.ts';
import { startDatabaseThread } from './database-thread.ts';
import { migrate, NewerDatabaseError, newerMigrations } from './migrate.ts';

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
