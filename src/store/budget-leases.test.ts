import { expect, test } from 'bun:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from './client.ts';
import { migrate } from './migrate.ts';
import { budgetGate } from './budget-leases.ts';
import type { BudgetScope } from './budgets.ts';
import { silentLogger } from '../lib/logger.ts';

async function fileStore(): Promise<Store> {
  const s = await openStore({ url: `file:${join(mkdtempSync(join(tmpdir(), 'tg-lease-')), 'db')}` });
  await migrate(s.client);
  return s;
}
const scope: BudgetScope = { scope: 'team', id: 't', period: 'month', limitMicros: 1_000_000 };
const counters = async (s: Store) => {
  const r = (await s.client.execute("SELECT spent_micros, reserved_micros, requests FROM spend WHERE scope = 'team'")).rows[0]!;
  const open = (await s.client.execute('SELECT count(*) AS n FROM reservations WHERE settled_at IS NULL')).rows[0]!;
  return { spent: Number(r.spent_micros), reserved: Number(r.reserved_micros), requests: Number(r.requests), open: Number(open.n) };
};

test('two replicas leasing from one budget never spend past it and use it up', async () => {
  const store = await fileStore();
  const a = budgetGate(store, silentLogger, { flushMs: 20 });
  const b = budgetGate(store, silentLogger, { flushMs: 20 });
  let admitted = 0;
  // Each request may cost up to 10,000 µ$ and really costs 7,000.
  const client = async (gate: typeof a) => {
    for (;;) {
      const hold = await gate.hold([scope], 10_000).catch(() => undefined);
      if (!hold) return;
      admitted++;
      await Bun.sleep(1);
      hold.settle(7_000);
    }
  };
  await Promise.all([...Array.from({ length: 20 }, () => client(a)), ...Array.from({ length: 20 }, () => client(b))]);
  await a.close();
  await b.close();
  const c = await counters(store);
  expect(c.spent).toBe(admitted * 7_000);
  expect(c.spent).toBeLessThanOrEqual(1_000_000);
  // Used up: no room for one more worst case was left unspent.
  expect(c.spent).toBeGreaterThan(1_000_000 - 2 * 10_000);
  expect(c.requests).toBe(admitted);
  expect(c.reserved).toBe(0);
  expect(c.open).toBe(0);
  store.close();
});

test('a refused request names the budget and when it resets', async () => {
  const store = await fileStore();
  const gate = budgetGate(store, silentLogger);
  const err = await gate.hold([{ ...scope, limitMicros: 5_000 }], 10_000).catch((e) => e);
  expect(err.kind).toBe('budget_exceeded');
  expect(err.message).toContain("team 't'");
  expect(err.message).toContain('resets at');
  await gate.close();
  store.close();
});
