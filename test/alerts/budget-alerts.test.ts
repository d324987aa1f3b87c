import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway } from '../helpers/gateway.ts';
import { openStore, type Store } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createKey } from '../../src/store/keys.ts';
import { createTeam } from '../../src/store/teams.ts';
import { startReceiver, type Received } from './receiver.ts';

// Budget alerts through real gateways: a local webhook receiver gets each threshold exactly once,
// however many requests cross it at once and however many instances share the database.
const dirs: string[] = [];
const receiver = startReceiver();
afterAll(() => {
  receiver.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const PRICES = { 'mock/long-10': { input: 1, output: 1 } }; // 1 µ$ a token
const gatewayConfig = (dbUrl: string, webhooks: unknown[]) => ({
  server: { host: '127.0.0.1', port: 0, allow_anonymous: false },
  database: { url: dbUrl },
  ledger: { flush_ms: 50 },
  providers: { mock: { type: 'mock' } },
  models: { m: { provider: 'mock', model: 'mock/long-10' } },
  prices: PRICES,
  alerts: { webhooks, check_ms: 50 },
});

async function freshDb(): Promise<{ url: string; store: Store }> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-alerts-'));
  dirs.push(dir);
  const url = `file:${join(dir, 'gw.db')}`;
  const store = await openStore({ url });
  await migrate(store.client);
  return { url, store };
}

const call = async (gw: { url: string }, key: string) => {
  const r = await fetch(gw.url + '/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hello there' }] }),
  });
  await r.arrayBuffer();
  return r.status;
};

/** Sends waves of concurrent requests until the budget refuses one. */
async function spendDown(gws: { url: string }[], key: string, concurrency: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let wave = 0; wave < 200 && !statuses.includes(429); wave++) {
    statuses.push(...(await Promise.all(Array.from({ length: concurrency }, (_, i) => call(gws[i % gws.length]!, key)))));
  }
  return statuses;
}

// JSON payloads carry the threshold; Slack messages say it in their text.
const thresholdOf = (g: Received) => (g.body.kind === 'budget_threshold' ? (g.body.threshold_pct as number) : Number(/past its (\d+)% threshold/.exec(String(g.body.text ?? ''))?.[1] ?? NaN));
const budgetAlerts = (got: Received[]) => got.filter((g) => !Number.isNaN(thresholdOf(g)));
const thresholds = (got: Received[]) => budgetAlerts(got).map(thresholdOf).sort((a, b) => a - b);

test('50/80/100% of a key budget: each threshold reaches both webhooks once, across concurrent requests', async () => {
  const { url, store } = await freshDb();
  const { key, row } = await createKey(store, { name: 'alerted', budget: { micros: 600, period: 'day' } });
  const gw = await startTestGateway(
    gatewayConfig(url, [
      { url: `${receiver.url}/json`, format: 'json', headers: { 'x-alert-token': 'test-token-1' } },
      { url: `${receiver.url}/slack`, format: 'slack' },
    ]),
  );
  const statuses = await spendDown([gw], key, 8);
  expect(statuses).toContain(200);
  expect(statuses).toContain(429);
  await receiver.until((g) => thresholds(g.filter((x) => x.path === '/json')).length >= 3 && thresholds(g.filter((x) => x.path === '/slack')).length >= 3);
  // More requests after the last threshold: refused again, and nothing fires twice.
  await spendDown([gw], key, 4);
  await Bun.sleep(300);
  await gw.stop();
  expect(thresholds(receiver.on('/json'))).toEqual([50, 80, 100]);
  expect(thresholds(receiver.on('/slack'))).toEqual([50, 80, 100]);

  const json = budgetAlerts(receiver.on('/json')).find((g) => g.body.threshold_pct === 80)!;
  expect(json.headers.get('x-alert-token')).toBe('test-token-1');
  expect(json.headers.get('content-type')).toBe('application/json');
  expect(json.body).toMatchObject({ type: 'tollgate.alert', kind: 'budget_threshold', subject: `key:${row.id}:day`, scope: 'key', scope_id: row.id, period: 'day', limit_micros: 600, limit_usd: '0.00' });
  expect(json.body.spent_micros as number).toBeGreaterThanOrEqual(480);
  expect(String(json.body.summary)).toContain('80% threshold');

  const slack = budgetAlerts(receiver.on('/slack')).find((g) => thresholdOf(g) === 100)!;
  expect(slack.body.kind).toBeUndefined();
  // Slack's incoming-webhook shape: `text` plus Block Kit blocks.
  expect(String(slack.body.text)).toStartWith(':money_with_wings: Budget alert: ');
  const blocks = slack.body.blocks as { type: string; text?: { type: string; text: string; emoji?: boolean }; fields?: unknown[]; elements?: unknown[] }[];
  expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
  expect(blocks[0]!.text).toEqual({ type: 'plain_text', text: 'Budget alert', emoji: true });
  expect(blocks[1]!.text!.type).toBe('mrkdwn');
  expect(blocks[2]!.fields!.length).toBeGreaterThan(3);

  const firings = (await store.client.execute("SELECT threshold, count(*) AS n FROM alert_firings WHERE kind = 'budget_threshold' GROUP BY threshold ORDER BY threshold")).rows;
  expect(firings.map((r) => [Number(r.threshold), Number(r.n)])).toEqual([[50, 1], [80, 1], [100, 1]]);
  const deliveries = (await store.client.execute('SELECT status, attempts, target FROM alert_deliveries')).rows;
  expect(deliveries.length).toBe(6);
  for (const d of deliveries) expect([d.status, Number(d.attempts), d.target]).toEqual(['sent', 1, new URL(receiver.url).host]);
  store.close();
}, 60_000);

test('two gateway instances on one database file: a team budget with its own thresholds fires each once', async () => {
  receiver.got.length = 0;
  const { url, store } = await freshDb();
  await createTeam(store, { id: 'ml', budget: { micros: 800, period: 'month' }, budget_alerts: [25, 60, 100] });
  const a = await createKey(store, { name: 'a', team: 'ml' });
  const b = await createKey(store, { name: 'b', team: 'ml' });
  const hooks = [{ url: `${receiver.url}/two`, format: 'json' }];
  const [g1, g2] = await Promise.all([startTestGateway(gatewayConfig(url, hooks)), startTestGateway(gatewayConfig(url, hooks))]);
  // Both instances serve the team at once, each with its own key.
  const statuses = await Promise.all([spendDown([g1!], a.key, 4), spendDown([g2!], b.key, 4)]);
  expect(statuses.flat()).toContain(200);
  await receiver.until((g) => thresholds(g).length >= 3);
  await Bun.sleep(500);
  await Promise.all([g1!.stop(), g2!.stop()]);
  const got = budgetAlerts(receiver.on('/two'));
  // 25%, 60%, and 100% once the budget refused a request: each exactly once, from one of the two.
  expect(thresholds(got)).toEqual([25, 60, 100]);
  expect(got.every((g) => g.body.subject === 'team:ml:month')).toBe(true);
  const senders = (await store.client.execute("SELECT DISTINCT instance FROM alert_firings WHERE kind = 'budget_threshold'")).rows;
  expect(senders.length).toBeGreaterThanOrEqual(1);
  store.close();
}, 60_000);

test("a policy's budget sets its own thresholds (the built-in policy reads data.teams[team].budget_alert_at)", async () => {
  receiver.got.length = 0;
  const { url, store } = await freshDb();
  const { key } = await createKey(store, { name: 'p', team: 'research' });
  const gw = await startTestGateway({
    ...gatewayConfig(url, [{ url: `${receiver.url}/policy`, format: 'json' }]),
    policy: { enabled: true, data: { teams: { research: { monthly_budget_usd: 0.0004, budget_alert_at: [30] } } } },
  });
  const statuses = await spendDown([gw], key, 2);
  expect(statuses).toContain(200);
  await receiver.until((g) => g.length >= 1);
  await Bun.sleep(300);
  await gw.stop();
  const got = receiver.on('/policy');
  // 30% only: the policy's list replaces the config's 50/80/100 for this budget.
  expect(got.map((g) => [g.body.subject, g.body.threshold_pct, g.body.limit_micros])).toEqual([['team:research:month', 30, 400]]);
  store.close();
}, 90_000);
