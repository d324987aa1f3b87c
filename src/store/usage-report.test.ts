import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { openStore, type Store } from './client.ts';
import { migrate } from './migrate.ts';
import { createKey } from './keys.ts';
import { usage } from './schema.ts';
import { formatUsd, reportCsv, usageReport } from './usage-report.ts';

let store: Store;
let keyHash: string;
const JAN = Date.UTC(2026, 0, 31, 23, 0);
const FEB = Date.UTC(2026, 1, 1, 1, 0);

function row(id: string, over: Partial<typeof usage.$inferInsert>): typeof usage.$inferInsert {
  return { requestId: id, createdAt: JAN, endpoint: '/v1/chat/completions', requestedModel: 'chat', status: 200, outcome: 'ok', ...over };
}

beforeAll(async () => {
  store = await openStore({ url: ':memory:' });
  await migrate(store.client);
  const { row: key } = await createKey(store, { name: 'ci', team: 'ml' });
  keyHash = key.hash;
  await store.db.insert(usage).values([
    row('r1', { team: 'ml', keyHash, keyName: 'ci', inputTokens: 10, outputTokens: 5, costMicros: 1_234_567 }),
    row('r2', { team: 'ml', keyHash, keyName: 'ci', createdAt: FEB, inputTokens: 7, cachedInputTokens: 3, costMicros: 1 }),
    row('r3', { team: 'ops', keyName: 'config-key', requestedModel: '=cmd()', status: 502, outcome: 'upstream_error', reasoningTokens: 4 }),
    row('r4', { team: 'ops', createdAt: FEB, status: 200, outcome: 'interrupted', outputTokens: 2, costMicros: 10 }),
  ]);
});
afterAll(() => store.close());

describe('usageReport', () => {
  test('groups by team and model; totals are the exact sums', async () => {
    const r = await usageReport(store, { by: ['team', 'model'], since: 0 });
    expect(r.rows.map((x) => [x.group.team, x.group.model, x.requests])).toEqual([
      ['ml', 'chat', 2],
      ['ops', '=cmd()', 1],
      ['ops', 'chat', 1],
    ]);
    expect(r.totals).toEqual({ requests: 4, input_tokens: 17, output_tokens: 7, cached_input_tokens: 3, reasoning_tokens: 4, cost_micros: 1_234_578, errors: 1 });
  });

  test('day and month are UTC calendar buckets; the window is [since, until)', async () => {
    const byMonth = await usageReport(store, { by: ['month'], since: 0 });
    expect(byMonth.rows.map((x) => [x.group.month, x.requests])).toEqual([['2026-01', 2], ['2026-02', 2]]);
    const feb = await usageReport(store, { by: ['day'], since: Date.UTC(2026, 1, 1), until: Date.UTC(2026, 1, 2) });
    expect(feb.rows.map((x) => [x.group.day, x.requests])).toEqual([['2026-02-01', 2]]);
  });

  test('by key: database keys by id, config keys by name; filters by team and key', async () => {
    const r = await usageReport(store, { by: ['key'], since: 0, team: 'ml' });
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.group.key).toStartWith('key_');
    expect(r.rows[0]!.keyName).toBe('ci');
    const one = await usageReport(store, { by: [], since: 0, keyHash });
    expect(one.rows).toHaveLength(1);
    expect(one.totals.requests).toBe(2);
    const none = await usageReport(store, { by: [], since: Date.UTC(2030, 0, 1) });
    expect(none.rows).toEqual([]);
    expect(none.totals.requests).toBe(0);
  });
});

describe('formatting', () => {
  test('formatUsd is exact to the micro-dollar', () => {
    expect(formatUsd(0)).toBe('0.000000');
    expect(formatUsd(1)).toBe('0.000001');
    expect(formatUsd(1_234_567)).toBe('1.234567');
    expect(formatUsd(9_007_199_254_740_991)).toBe('9007199254.740991');
  });

  test('CSV has a header, a totals row, and neutralises formulas', async () => {
    const csv = reportCsv(await usageReport(store, { by: ['model'], since: 0 }));
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('model,requests,input_tokens,output_tokens,cached_input_tokens,reasoning_tokens,cost_micros,cost_usd,errors');
    expect(lines[1]).toStartWith("'=cmd(),1,");
    expect(lines.at(-1)).toBe('TOTAL,4,17,7,3,4,1234578,1.234578,1');
  });
});
