import { expect, test } from 'bun:test';
import type { DatabaseThread } from '../../src/store/database-thread.ts';
import { openLocalReady } from '../../src/store/local-client.ts';

// The database thread runs all of a start's migrations as one request; a progress note after
// each keeps the stall bound per migration (as when the main thread sent them one by one), so a
// long upgrade whose migrations each finish in time is not taken for a frozen disk.
const worker = (env: Record<string, string>): DatabaseThread => {
  let w: Bun.Worker | undefined = new Worker(new URL('./slow-migrations-worker.ts', import.meta.url), { env: { ...(process.env as Record<string, string>), ...env } }) as Bun.Worker;
  return {
    take() {
      const t = w;
      w = undefined;
      return t;
    },
    close() {
      w?.terminate();
    },
  };
};

test('migrations that take longer than the stall bound in all, each note arriving in time, are waited for', async () => {
  const opening = openLocalReady({ url: 'file:unused.db', timeoutMs: 250, busyTimeoutMs: 5000 }, worker({ SLOW_MS: '700', EVERY_MS: '100' }), true);
  const client = await opening.client;
  await opening.setup;
  expect(await opening.migrated).toEqual(['0000_slow']);
  client.close();
});

test('without notes, the same wait is a stall', async () => {
  const opening = openLocalReady({ url: 'file:unused.db', timeoutMs: 250, busyTimeoutMs: 5000 }, worker({ SLOW_MS: '700', EVERY_MS: '0' }), true);
  const client = await opening.client;
  await opening.setup;
  const e = await opening.migrated?.catch((err: unknown) => err);
  expect((e as { code?: string }).code).toBe('DATABASE_STALLED');
  client.close();
});
