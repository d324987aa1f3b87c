import { expect, test } from 'bun:test';
import type { Client } from '@libsql/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from './client.ts';
import { migrate } from './migrate.ts';
import { rateGate } from './rate-leases.ts';
import { silentLogger } from '../lib/logger.ts';
import type { GatewayError } from '../lib/errors.ts';

async function fileStore(): Promise<Store> {
  const s = await openStore({ url: `file:${join(mkdtempSync(join(tmpdir(), 'tg-rate-')), 'db')}` });
  await migrate(s.client);
  return s;
}
const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: GatewayError) => e);

test('two gates on one database admit the rpm between them, and idle room moves to the busy one', async () => {
  const store = await fileStore();
  const a = rateGate(store, silentLogger, { idleMs: 50, flushMs: 20 });
  const b = rateGate(store, silentLogger, { idleMs: 50, flushMs: 20 });
  const limits = [{ subject: 'key:k', rpm: 100 }];
  // `a` takes a few slices and goes quiet; `b` then gets everything `a` did not use.
  for (let i = 0; i < 3; i++) (await a.hold(limits, 0)).settle(0);
  await Bun.sleep(150);
  let admitted = 3;
  for (;;) {
    const e = await refusal(b.hold(limits, 0).then((h) => h.settle(0)));
    if (e) {
      expect(e.kind).toBe('rate_limited');
      expect(Number(e.headers?.['retry-after'])).toBeGreaterThan(0);
      break;
    }
    admitted++;
  }
  expect(admitted).toBe(100);
  await a.close();
  await b.close();
  store.close();
});

test('a database that cannot be reached refuses with 503 (fail closed), once no leased room is left', async () => {
  const store = await fileStore();
  const broken: Store = { ...store, client: new Proxy(store.client, { get: (t, p) => (p === 'batch' ? async () => Promise.reject(new Error('injected: unreachable')) : Reflect.get(t, p)) }) as Client };
  const gate = rateGate(broken, silentLogger);
  const e = await refusal(gate.hold([{ subject: 'team:t', tpm: 1_000 }], 10));
  expect(e?.kind).toBe('unavailable');
  // Unlimited subjects never ask the database.
  (await gate.hold([{ subject: 'key:free' }], 10)).settle(5);
  await gate.close().catch(() => undefined);
  store.close();
});
