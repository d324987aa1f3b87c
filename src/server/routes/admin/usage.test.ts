import { afterAll, beforeAll, expect, test } from 'bun:test';
import { usage } from '../../../store/schema.ts';
import { adminTestApp, MASTER, withMasterKey, type ErrorJson } from '../../../../test/support/admin-app.ts';
import type { usageView } from './views.ts';

type Report = ReturnType<typeof usageView>;

let restore = () => {};
beforeAll(() => (restore = withMasterKey(MASTER)));
afterAll(() => restore());

async function appWithUsage() {
  const t = await adminTestApp();
  const now = Date.now();
  const base = { endpoint: '/v1/chat/completions', requestedModel: 'chat', status: 200, outcome: 'ok' };
  await t.store!.db.insert(usage).values([
    { ...base, requestId: 'a', createdAt: now - 1000, team: 'ml', inputTokens: 100, outputTokens: 20, costMicros: 1_500_001 },
    { ...base, requestId: 'b', createdAt: now - 2000, team: 'ml', requestedModel: 'embed', inputTokens: 7, costMicros: 2 },
    { ...base, requestId: 'c', createdAt: now - 3000, team: 'ops', status: 429, outcome: 'rate_limited' },
    { ...base, requestId: 'old', createdAt: now - 40 * 86_400_000, team: 'ml', costMicros: 999 },
  ]);
  return t;
}

test('json: grouped rows and totals over the last 30 days by default', async () => {
  const { call } = await appWithUsage();
  const r = (await (await call('GET', '/admin/usage?by=team,model')).json()) as Report;
  expect(r.by).toEqual(['team', 'model']);
  expect(r.rows.map((x) => [x.team, x.model, x.requests, x.cost_usd])).toEqual([
    ['ml', 'chat', 1, '1.500001'],
    ['ml', 'embed', 1, '0.000002'],
    ['ops', 'chat', 1, '0.000000'],
  ]);
  expect(r.totals).toEqual({ requests: 3, input_tokens: 107, output_tokens: 20, cached_input_tokens: 0, reasoning_tokens: 0, cost_micros: 1_500_003, cost_usd: '1.500003', errors: 1 });
  const all = (await (await call('GET', '/admin/usage?by=team&since=60d&team=ml')).json()) as Report;
  expect(all.totals.cost_micros).toBe(1_500_001 + 2 + 999);
});

test('csv: a header, one line per group and a totals line', async () => {
  const { call } = await appWithUsage();
  const r = await call('GET', '/admin/usage?by=team&format=csv');
  expect(r.headers.get('content-type')).toStartWith('text/csv');
  const lines = (await r.text()).trimEnd().split('\r\n').map((l) => l.split(','));
  expect(lines[0]).toEqual(['team', 'requests', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'reasoning_tokens', 'cost_micros', 'cost_usd', 'errors']);
  expect(lines.slice(1).map((l) => [l[0], l[1], l[7]])).toEqual([
    ['ml', '2', '1.500003'],
    ['ops', '1', '0.000000'],
    ['TOTAL', '3', '1.500003'],
  ]);
});

test('bad parameters → 400 naming the parameter', async () => {
  const { call } = await appWithUsage();
  for (const [q, param] of [
    ['by=team,colour', 'by'],
    ['since=yesterday', 'since'],
    ['until=3x', 'until'],
    ['format=xml', 'format'],
    ['limit=5', 'limit'],
  ]) {
    const r = await call('GET', `/admin/usage?${q}`);
    expect({ status: r.status, param: ((await r.json()) as ErrorJson).error.param }).toEqual({ status: 400, param });
  }
});
