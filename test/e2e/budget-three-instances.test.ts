import { afterAll, expect, test } from 'bun:test';
import { startTestGateway } from '../helpers/gateway.ts';
import { startSqld, type Sqld } from '../helpers/sqld.ts';
import { openStore } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createKey } from '../../src/store/keys.ts';

// Issue 10, "done when": a budget shared by 3 instances on one sqld, 200 concurrent clients
// spread over them, each request asking for n=2 completions with no max_tokens from a model that
// writes far past any cap. Every instance must hold the true worst case (the cap Tollgate sends
// itself, times n) so that together they never spend past the limit by more than one of them.
const servers: Sqld[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

const LIMIT = 250_000; // $0.25
const PRICES = { 'mock/long-20000': { input: 1, output: 1 } }; // $1 per 1M tokens: 1 µ$ a token

test('a $0.25 key budget across 3 instances, 200 clients, n=2 and no max_tokens: spend ≤ limit + one worst case', async () => {
  const sqld = await startSqld();
  servers.push(sqld);
  const store = await openStore({ url: sqld.url });
  await migrate(store.client);
  const { key } = await createKey(store, { name: 'shared-budget', budget: { micros: LIMIT, period: 'month' } });
  const gateways = await Promise.all(
    [0, 1, 2].map(() =>
      startTestGateway({
        server: { host: '127.0.0.1', port: 0, allow_anonymous: false },
        database: { url: sqld.url },
        providers: { mock: { type: 'mock' } },
        models: { m: { provider: 'mock', model: 'mock/long-20000' } },
        prices: PRICES,
      }),
    ),
  );
  const body = JSON.stringify({ model: 'm', n: 2, messages: [{ role: 'user', content: 'write a lot' }] });
  const statuses: number[] = [];
  const caps = new Set<string>();
  await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const gw = gateways[i % 3]!;
      for (;;) {
        const r = await fetch(gw.url + '/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
        await r.arrayBuffer();
        statuses.push(r.status);
        if (r.status === 200) caps.add(r.headers.get('x-tollgate-max-tokens') ?? 'none');
        else return;
      }
    }),
  );
  for (const gw of gateways) await gw.stop();
  // Each instance books what it settled as it stops; read once the books and the ledger agree.
  const read = async () => ({
    spend: (await store.client.execute("SELECT sum(spent_micros) AS spent_micros, sum(reserved_micros) AS reserved_micros FROM spend WHERE scope = 'key' AND period = 'month'")).rows[0]!,
    ledger: (await store.client.execute('SELECT count(*) AS n, sum(cost_micros) AS cost, max(cost_micros) AS worst FROM usage WHERE status = 200')).rows[0]!,
  });
  let { spend, ledger } = await read();
  for (let waited = 0; waited < 5_000 && (Number(spend.spent_micros) !== Number(ledger.cost) || Number(spend.reserved_micros) !== 0); waited += 100) {
    await Bun.sleep(100);
    ({ spend, ledger } = await read());
  }
  store.close();
  const served = statuses.filter((s) => s === 200).length;
  const worst = Number(ledger.worst); // what one served request really cost: 2 × the cap Tollgate sent, plus its prompt
  console.log(`3 instances: served ${served}, refused ${statuses.length - served}, spent ${spend.spent_micros} µ$ of ${LIMIT} (one request ≤ ${worst} µ$), cap sent ${[...caps].join(',')}`);
  // Tollgate sent a cap of its own, so the answer (and the bill) had a bound.
  expect([...caps]).toEqual(['4096']);
  expect(worst).toBeGreaterThanOrEqual(2 * 4096);
  expect(served).toBeGreaterThan(5);
  expect(statuses.some((s) => s === 429)).toBe(true);
  expect(Number(spend.spent_micros)).toBeLessThanOrEqual(LIMIT + worst);
  expect(Number(spend.spent_micros)).toBeGreaterThan(LIMIT - 3 * worst);
  expect(Number(spend.reserved_micros)).toBe(0);
  // The ledger and the budget counter agree.
  expect(Number(ledger.cost)).toBe(Number(spend.spent_micros));
}, 60_000);
