import { expect, test } from 'bun:test';
import type { Client } from '@libsql/client';
import type { Store } from '../../src/store/client.ts';
import { createKey } from '../../src/store/keys.ts';
import { budgetApp, ledgerMicros } from '../support/budget-app.ts';

// Finding 7: a failed lease flush must lose no spend and leak no room; the write is retried.
const YAML = `
providers: { mock: { type: mock } }
models: { m: { provider: mock, model: mock/long-1000 } }
prices: { mock/long-1000: { input: 1, output: 10 } }
`;

/** A store whose flush batches (booking spend, giving room back) fail while `down` is set. */
function flaky() {
  const state = { down: true, failures: 0 };
  const wrap = (s: Store): Store => {
    const client = new Proxy(s.client, {
      get(target, prop) {
        if (prop === 'batch') {
          return async (...args: Parameters<Client['batch']>) => {
            const stmts = args[0];
            const flush = stmts.some((st) => typeof st !== 'string' && 'sql' in st && (st.sql.includes('spent_micros = spent_micros +') || st.sql.includes('settled_at = ?')));
            if (state.down && flush) {
              state.failures++;
              throw new Error('injected: the database is unavailable');
            }
            return target.batch(...args);
          };
        }
        const v: unknown = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    return { ...s, client };
  };
  return { state, wrap };
}

const spendRow = async (store: Store) => {
  const r = await store.client.execute("SELECT spent_micros, reserved_micros, requests FROM spend WHERE scope = 'key' AND period = 'day'");
  return { spent: Number(r.rows[0]!.spent_micros), reserved: Number(r.rows[0]!.reserved_micros), requests: Number(r.rows[0]!.requests) };
};

test('spend settled while flushes fail is booked once the database is back, and no room stays reserved after close', async () => {
  const f = flaky();
  const t = await budgetApp(YAML, { gateStore: f.wrap });
  const { key } = await createKey(t.store, { name: 'f', budget: { micros: 1_000_000, period: 'day' } });
  for (let i = 0; i < 10; i++) expect((await t.post('/v1/chat/completions', key, { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
  await Bun.sleep(150);
  expect(f.state.failures).toBeGreaterThan(2);
  const during = await spendRow(t.store);
  // Nothing was booked, and the room the leases hold is still reserved: the budget still holds.
  expect(during.spent).toBe(0);
  expect(during.reserved).toBeGreaterThan(0);
  f.state.down = false;
  await Bun.sleep(150);
  const after = await spendRow(t.store);
  console.log(`flush failures ${f.state.failures}: ledger ${ledgerMicros(t.records)} µ$, booked ${after.spent} µ$, ${after.requests} requests`);
  expect(after.spent).toBe(ledgerMicros(t.records));
  expect(after.requests).toBe(10);
  // Down again at shutdown for a moment: close retries until the room is given back.
  f.state.down = true;
  expect((await t.post('/v1/chat/completions', key, { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
  setTimeout(() => (f.state.down = false), 120);
  await t.budgets.close();
  const closed = await spendRow(t.store);
  const open = await t.store.client.execute('SELECT count(*) AS n FROM reservations WHERE settled_at IS NULL');
  expect(closed.spent).toBe(ledgerMicros(t.records));
  expect(closed.reserved).toBe(0);
  expect(Number(open.rows[0]!.n)).toBe(0);
  await t.close();
});
