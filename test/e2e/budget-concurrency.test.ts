import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway } from '../helpers/gateway.ts';
import { startSqld, type Sqld } from '../helpers/sqld.ts';
import { openStore } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createKey } from '../../src/store/keys.ts';

const servers: Sqld[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

// Each token costs $0.001; a request may cost at most (estimated input + max_tokens) tokens.
const PRICES = { 'mock/slow-150': { input: 1000, output: 1000 } };
const MAX_TOKENS = 10;

for (const backend of ['file', 'sqld'] as const) {
  describe(`a $1 budget under 200 concurrent requests (${backend})`, () => {
    test('spend stays within $1 plus one worst case, and no reservation is left open, cancelled requests included', async () => {
      let url = `file:${join(mkdtempSync(join(tmpdir(), 'tg-budget-e2e-')), 'db')}`;
      if (backend === 'sqld') {
        const s = await startSqld();
        servers.push(s);
        url = s.url;
      }
      const store = await openStore({ url });
      await migrate(store.client);
      const { key, row: keyRow } = await createKey(store, { name: 'budgeted', budget: { micros: 1_000_000, period: 'month' } });
      const gw = await startTestGateway({
        server: { host: '127.0.0.1', port: 0, allow_anonymous: false },
        database: { url },
        providers: { mock: { type: 'mock' } },
        models: { m: { provider: 'mock', model: 'mock/slow-150' } },
        prices: PRICES,
      });
      const body = JSON.stringify({ model: 'm', max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: 'hi' }] });
      // 200 clients at once, each sending until the budget refuses it; every fifth request is
      // cancelled by its client while the upstream is still working.
      const statuses: (number | 'cancelled')[] = [];
      let n = 0;
      await Promise.all(
        Array.from({ length: 200 }, async () => {
          for (;;) {
            const ac = new AbortController();
            if (n++ % 5 === 0) setTimeout(() => ac.abort(), 40);
            try {
              const r = await fetch(gw.url + '/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body, signal: ac.signal });
              await r.arrayBuffer();
              statuses.push(r.status);
              if (r.status !== 200) return;
            } catch {
              statuses.push('cancelled');
            }
          }
        }),
      );
      await Bun.sleep(500);
      await gw.stop();
      // Only this key's counters and rows: the suite runs other files' gateways in this process, and
      // one still flushing into a sqld whose port this test's sqld reused would add rows of its own.
      const spend = (await store.client.execute({ sql: "SELECT spent_micros, reserved_micros FROM spend WHERE scope = 'key' AND scope_id = ? AND period = 'month'", args: [keyRow.id] })).rows[0]!;
      const open = (await store.client.execute('SELECT count(*) AS n FROM reservations WHERE settled_at IS NULL')).rows[0]!;
      const rows = (await store.client.execute({ sql: 'SELECT count(*) AS n, sum(cost_micros) AS cost FROM usage WHERE status = 200 AND key_hash = ?', args: [keyRow.hash] })).rows[0]!;
      store.close();
      const worstCase = (1 + 4 + 3 + MAX_TOKENS) * 1000; // estimated input (text + framing) + max_tokens, at $0.001 each
      const served = statuses.filter((s) => s === 200).length;
      const refused = statuses.filter((s) => s === 429).length;
      console.log(`${backend}: served ${served}, refused ${refused}, cancelled ${statuses.filter((s) => s === 'cancelled').length}, spent $${Number(spend.spent_micros) / 1e6}`);
      expect(served).toBeGreaterThan(40);
      // The budget was used up, not merely touched.
      expect(Number(spend.spent_micros)).toBeGreaterThan(1_000_000 - 2 * worstCase);
      expect(refused).toBeGreaterThan(0);
      expect(Number(spend.spent_micros)).toBeLessThanOrEqual(1_000_000 + worstCase);
      expect(Number(spend.reserved_micros)).toBe(0);
      expect(Number(open.n)).toBe(0);
      // The ledger and the budget counter agree to the micro-dollar.
      expect(Number(rows.n)).toBe(served);
      expect(Number(rows.cost)).toBeLessThanOrEqual(Number(spend.spent_micros));
    });
  });
}
