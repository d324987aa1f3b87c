import { afterAll, expect, test } from 'bun:test';
import { alertsSchema } from '../../src/config/schema.ts';
import { webhookDeliveries } from '../../src/alerts/deliver.ts';
import { createAlerter } from '../../src/alerts/alerter.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { openStore } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import type { DeliveryRow, Firing } from '../../src/store/alert-records.ts';
import type { LedgerHealth } from '../../src/store/usage-writer.ts';
import { createFakeClock } from '../support/fake-clock.ts';
import { startReceiver } from './receiver.ts';

// Webhook delivery against a local receiver, with backoff on a fake clock.
const receiver = startReceiver();
afterAll(() => receiver.stop());

const firing = (id: string): Firing => ({ id, kind: 'breaker_open', subject: 'openai/gpt-4o', windowStart: 0, threshold: 0, firedAt: Date.now(), instance: 'i1', detail: { provider: 'openai', model: 'gpt-4o' } });

function setup(webhooks: unknown[], delivery: Record<string, number> = {}) {
  const clock = createFakeClock();
  const rows: DeliveryRow[] = [];
  const config = alertsSchema.parse({ webhooks, delivery });
  const d = webhookDeliveries({ config: () => config, clock, logger: silentLogger, record: async (r) => void rows.push(r) });
  const last = () => new Map(rows.map((r) => [`${r.firingId}/${r.webhook}`, r]));
  return { clock, d, rows, last };
}

/** Lets real I/O (the receiver) run, then moves the fake clock on by `ms`. */
async function tick(clock: ReturnType<typeof createFakeClock>, ms: number) {
  await Bun.sleep(30);
  await clock.advance(ms);
}

test('a 503 is retried with exponential backoff on the clock, then recorded as sent with its attempts', async () => {
  const { clock, d, rows, last } = setup([{ url: `${receiver.url}/fail-2/a` }], { backoff_ms: 1000, max_backoff_ms: 60_000 });
  d.send(firing('f1'), 'breaker open');
  await receiver.until((g) => g.length >= 1 && receiver.on('/fail-2/a').length === 1);
  // The second attempt waits 1 s of clock time, not less.
  await tick(clock, 999);
  expect(receiver.on('/fail-2/a').length).toBe(1);
  await tick(clock, 1);
  await receiver.until(() => receiver.on('/fail-2/a').length === 2);
  // The third waits 2 s.
  await tick(clock, 1999);
  expect(receiver.on('/fail-2/a').length).toBe(2);
  await tick(clock, 1);
  await d.idle();
  expect(receiver.on('/fail-2/a').length).toBe(3);
  expect(last().get('f1/0')).toMatchObject({ status: 'sent', attempts: 3, lastStatus: 200 });
  expect(rows.filter((r) => r.status === 'pending').map((r) => r.attempts)).toEqual([0, 1, 2]);
});

test('gives up after max_attempts and records the failure', async () => {
  const { clock, d, last } = setup([{ url: `${receiver.url}/fail-9/b` }], { max_attempts: 2, backoff_ms: 10 });
  d.send(firing('f2'), 'x');
  await receiver.until(() => receiver.on('/fail-9/b').length === 1);
  await tick(clock, 10);
  await d.idle();
  expect(receiver.on('/fail-9/b').length).toBe(2);
  expect(last().get('f2/0')).toMatchObject({ status: 'failed', attempts: 2, lastStatus: 503, lastError: 'HTTP 503' });
});

test('a redirect is never followed and not retried', async () => {
  const before = receiver.on('/json').length;
  const { d, last } = setup([{ url: `${receiver.url}/redirect` }]);
  d.send(firing('f3'), 'x');
  await d.idle();
  expect(receiver.on('/redirect').length).toBe(1);
  expect(receiver.on('/json').length).toBe(before);
  expect(last().get('f3/0')).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 302 });
  expect(last().get('f3/0')!.lastError).toContain('redirect');
});

test('a webhook that never answers is cut at timeout_ms', async () => {
  const silent = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Promise<Response>(() => {}) });
  try {
    const { d, last } = setup([{ url: `http://127.0.0.1:${silent.port}/hang` }], { timeout_ms: 200, max_attempts: 1 });
    const t0 = performance.now();
    d.send(firing('f4'), 'x');
    await d.idle();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(last().get('f4/0')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'no answer within 200 ms' });
  } finally {
    silent.stop(true);
  }
});

test('the queue is bounded: past it, deliveries are recorded as dropped', async () => {
  const { clock, d, last } = setup([{ url: `${receiver.url}/fail-9/q` }], { queue: 2, backoff_ms: 60_000 });
  for (const id of ['q1', 'q2', 'q3']) d.send(firing(id), 'x');
  expect(d.pending()).toBe(2);
  await Bun.sleep(50);
  expect(last().get('q3/0')).toMatchObject({ status: 'dropped', attempts: 0, lastError: 'delivery queue full' });
  await d.close();
  expect(last().get('q1/0')!.status).toBe('failed');
  clock.stop();
});

test('ledger backlog: one alert when it crosses the bound, none while it stays there', async () => {
  const store = await openStore({ url: ':memory:' });
  await migrate(store.client);
  const clock = createFakeClock();
  let health: LedgerHealth = { status: 'ok', backlog: 0, journal_bytes: 0 };
  const config = alertsSchema.parse({ webhooks: [{ url: `${receiver.url}/ledger` }], ledger: { backlog_rows: 100 } });
  const alerter = createAlerter({ store, config: () => config, clock, logger: silentLogger, instance: 'inst-1', ledger: () => health });
  await alerter.check();
  health = { status: 'journalling', backlog: 150, journal_bytes: 4096, database_error: 'SQLITE_FULL' };
  await alerter.check();
  await alerter.check();
  await alerter.deliveries.idle();
  const got = receiver.on('/ledger');
  expect(got.length).toBe(1);
  expect(got[0]!.body).toMatchObject({ kind: 'ledger_backlog', subject: 'inst-1', status: 'journalling', backlog: 150, database_error: 'SQLITE_FULL' });
  await alerter.close();
  store.close();
});

test('the config example in docs/alerts.md is valid and its delivery query runs', async () => {
  const { readFileSync } = await import('node:fs');
  const { parseConfig } = await import('../../src/config/load.ts');
  const docs = readFileSync(new URL('../../docs/alerts.md', import.meta.url), 'utf8');
  const yaml = /```yaml\n([\s\S]*?)```/.exec(docs)![1]!;
  const { config } = parseConfig(`providers: { mock: { type: mock } }\n${yaml}`, 'c.yaml', { ALERTS_TOKEN: 'secret-token' });
  expect(config.alerts.webhooks.map((w) => w.format)).toEqual(['slack', 'json']);
  expect(config.alerts.webhooks[1]!.headers).toEqual({ authorization: 'Bearer secret-token' });
  const store = await openStore({ url: ':memory:' });
  await migrate(store.client);
  await store.client.execute("INSERT INTO alert_firings (id, kind, subject, window_start, threshold, fired_at, detail) VALUES ('a1', 'budget_threshold', 'team:ml:month', 0, 80, 1, '{}')");
  await store.client.execute("INSERT INTO alert_deliveries (firing_id, webhook, target, format, status, attempts, created_at, updated_at) VALUES ('a1', 0, 'hooks.slack.com', 'slack', 'sent', 1, 1, 1)");
  const sql = /```sql\n([\s\S]*?)```/.exec(docs)![1]!;
  const rows = (await store.client.execute(sql)).rows;
  expect(rows.map((r) => [r.kind, r.subject, r.threshold, r.target, r.status, r.attempts])).toEqual([['budget_threshold', 'team:ml:month', 80, 'hooks.slack.com', 'sent', 1]]);
  store.close();
});
