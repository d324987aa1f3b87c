import { expect, test } from 'bun:test';
import { toGatewayError } from '../lib/errors.ts';
import { logThrottle } from '../lib/log-throttle.ts';
import { openStore } from './client.ts';
import { storageCause } from './storage-errors.ts';

test('a constraint violation stays an internal error; a drizzle-wrapped storage failure is a 503 with its cause', async () => {
  const store = await openStore({ url: ':memory:' });
  await store.client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
  await store.client.execute('INSERT INTO t VALUES (1)');
  const dup = await store.client.execute('INSERT INTO t VALUES (1)').catch((e: unknown) => e);
  expect(toGatewayError(dup).kind).toBe('internal');
  const wrapped = new Error('Failed query: select 1', { cause: Object.assign(new TypeError('Unable to connect'), { code: 'ECONNREFUSED' }) });
  expect(storageCause(wrapped)).toBe('ECONNREFUSED');
  store.close();
});

test('the log throttle lets one line per key per interval through and counts the rest', () => {
  let now = 0;
  const t = logThrottle({ intervalMs: 10_000, now: () => now });
  expect(t.take('SQLITE_FULL')).toEqual({ log: true, suppressed: 0 });
  for (let i = 0; i < 99; i++) expect(t.take('SQLITE_FULL').log).toBe(false);
  expect(t.take('ECONNREFUSED').log).toBe(true);
  now = 10_000;
  expect(t.take('SQLITE_FULL')).toEqual({ log: true, suppressed: 99 });
});
