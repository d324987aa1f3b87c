import { afterEach, describe, expect, test } from 'bun:test';
import type { Decision } from '../../src/policy/decision.ts';
import { createKey } from '../../src/store/keys.ts';
import { budgetApp } from '../support/budget-app.ts';
import { stubPolicy } from '../support/stub-policy.ts';

// A request costs 8 input + 100 output tokens = 1,008 µ$.
const YAML = `
providers: { mock: { type: mock } }
models: { m: { provider: mock, model: mock/long-1000 } }
prices: { mock/long-1000: { input: 1, output: 10 } }
`;
const COST = 1008;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function run(decision: Decision, keyBudget: { micros: number; period: 'day' | 'month' }) {
  const { policy } = stubPolicy(decision);
  const t = await budgetApp(YAML, { policy });
  cleanup = t.close;
  const { key } = await createKey(t.store, { name: 'k', team: 'ml', budget: keyBudget });
  const statuses: number[] = [];
  let last = '';
  for (let i = 0; i < 20; i++) {
    const r = await t.post('/v1/chat/completions', key, { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    statuses.push(r.status);
    if (r.status !== 200) {
      last = ((await r.json()) as { error: { message: string } }).error.message;
      break;
    }
  }
  return { t, served: statuses.filter((s) => s === 200).length, last };
}

describe('finding 13: database budgets and policy budgets all apply, and the strictest wins', () => {
  test("a policy's team budget below the key's database budget stops the key first", async () => {
    const { t, served, last } = await run({ allowed: true, budget: { limit_usd: 0.005, period: 'day', scope: 'team' } }, { micros: 1_000_000, period: 'day' });
    expect(served).toBe(4);
    expect(last).toContain("team 'ml'");
    expect((await t.spend('team')).spent).toBeLessThanOrEqual(5000);
  });

  test("a database key budget below the policy's team budget stops the key first", async () => {
    const { t, served, last } = await run({ allowed: true, budget: { limit_usd: 1, period: 'month', scope: 'team' } }, { micros: 3000, period: 'day' });
    expect(served).toBe(2);
    expect(last).toContain("key 'key_");
    expect((await t.spend('key')).spent).toBeLessThanOrEqual(3000);
  });

  test('on the same scope and period the lower limit wins', async () => {
    const { t, served } = await run({ allowed: true, budget: { limit_usd: 0.0021, period: 'day', scope: 'key' } }, { micros: 1_000_000, period: 'day' });
    expect(served).toBe(2);
    expect((await t.spend('key')).spent).toBe(2 * COST);
  });
});

describe('finding 12: the policy sees true per-minute counters for keys and teams without limits of their own', () => {
  test('minute_requests and minute_tokens count every request of the key and its team', async () => {
    const { policy, inputs } = stubPolicy({ allowed: true });
    const t = await budgetApp(YAML, { policy });
    cleanup = t.close;
    const { key } = await createKey(t.store, { name: 'plain', team: 'ml' });
    for (let i = 0; i < 4; i++) expect((await t.post('/v1/chat/completions', key, { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
    const seen = inputs.at(-1)!.usage;
    console.log(`after 3 requests the policy sees key ${JSON.stringify(seen.key)}`);
    expect(seen.key.minute_requests).toBe(3);
    expect(seen.team.minute_requests).toBe(3);
    expect(seen.key.minute_tokens).toBe(3 * 108);
    expect(seen.team.minute_tokens).toBe(3 * 108);
  });
});
