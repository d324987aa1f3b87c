import { expect, test } from 'bun:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from './client.ts';
import { migrate } from './migrate.ts';
import { budgetGate } from './budget-leases.ts';
import { instanceLiveness } from './instance-liveness.ts';
import type { BudgetScope } from './budgets.ts';
import { createFakeClock } from '../../test/support/fake-clock.ts';
import { silentLogger } from '../lib/logger.ts';

async function fileStore(): Promise<Store> {
  const s = await openStore({ url: `file:${join(mkdtempSync(join(tmpdir(), 'tg-live-')), 'db')}` });
  await migrate(s.client);
  return s;
}
const scope: BudgetScope = { scope: 'team', id: 't', period: 'month', limitMicros: 1_000_000 };
const spend = async (s: Store) => {
  const r = (await s.client.execute("SELECT spent_micros, reserved_micros, requests FROM spend WHERE scope = 'team'")).rows[0]!;
  return { spent: Number(r.spent_micros), reserved: Number(r.reserved_micros), requests: Number(r.requests) };
};

test('a paused instance taken for dead books what it settles, gives no room back twice, and takes new leases', async () => {
  const store = await fileStore();
  const clock = createFakeClock();
  const paused = createFakeClock();
  let lost = 0;
  const a = instanceLiveness(store, silentLogger, { clock: paused, onLost: () => (gateA.disown(), lost++) });
  const gateA = budgetGate(store, silentLogger, { flushMs: 10_000, owner: a.id });
  const b = instanceLiveness(store, silentLogger, { clock });
  await a.start();
  await b.start();
  const hold = (await gateA.hold([scope], 10_000))!;
  const leased = (await spend(store)).reserved;
  expect(leased).toBeGreaterThanOrEqual(10_000);
  // `a` stops beating (its clock is frozen); `b` sees the beat stand still for 20 s and releases.
  for (let i = 0; i < 5; i++) {
    clock.touch();
    await b.tick();
    await clock.advance(5_000);
  }
  expect((await spend(store)).reserved).toBe(0);
  // `a` wakes: what it settles is booked, the released room is not given back a second time.
  hold.settle(7_000);
  await gateA.flush();
  expect(await spend(store)).toEqual({ spent: 7_000, reserved: 0, requests: 1 });
  await a.tick();
  expect(lost).toBe(1);
  // New leases work as before, and close gives their room back.
  (await gateA.hold([scope], 10_000))!.settle(3_000);
  await gateA.close();
  expect(await spend(store)).toEqual({ spent: 10_000, reserved: 0, requests: 2 });
  await a.close(true);
  await b.close(true);
  store.close();
});
