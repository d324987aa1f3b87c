import { afterAll, expect, test } from 'bun:test';
import { alertsSchema } from '../../src/config/schema.ts';
import { createAlerter } from '../../src/alerts/alerter.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { openStore } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { periodStart } from '../../src/store/periods.ts';
import { createFakeClock } from '../support/fake-clock.ts';
import { startReceiver } from './receiver.ts';

// Budget thresholds against the spend table, on a fake clock: once per period, again in the next.
const receiver = startReceiver();
afterAll(() => receiver.stop());

test('a threshold fires once per budget period and again in the next period', async () => {
  const store = await openStore({ url: ':memory:' });
  await migrate(store.client);
  const day1 = Date.UTC(2026, 11, 1, 10);
  const clock = createFakeClock({ wall: day1 });
  const config = alertsSchema.parse({ webhooks: [{ url: `${receiver.url}/periods` }], check_ms: 60_000 });
  const alerter = createAlerter({ store, config: () => config, clock, logger: silentLogger, instance: 'i1' });
  const scope = { scope: 'key' as const, id: 'key_1', period: 'day' as const, limitMicros: 1000 };
  const spend = (start: number, micros: number) =>
    store.client.execute({ sql: 'INSERT INTO spend (scope, scope_id, period, period_start, spent_micros) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET spent_micros = excluded.spent_micros', args: ['key', 'key_1', 'day', start, micros] });

  await spend(periodStart('day', day1), 400);
  alerter.budgetsTouched([scope]);
  await alerter.check();
  expect(receiver.on('/periods').length).toBe(0);
  await spend(periodStart('day', day1), 850);
  alerter.budgetsTouched([scope]);
  // The timer runs the check on the clock (check_ms), and a second check finds nothing new.
  await clock.advance(60_000);
  await alerter.check();
  await alerter.deliveries.idle();
  expect(receiver.on('/periods').map((g) => g.body.threshold_pct)).toEqual([50, 80]);

  // The next day: a new budget window, the thresholds fire again.
  await clock.advance(24 * 3_600_000);
  await spend(periodStart('day', clock.wall()), 600);
  alerter.budgetsTouched([scope]);
  await alerter.check();
  // A refusal for want of room counts as 100%.
  alerter.budgetsTouched([scope], true);
  await alerter.check();
  await alerter.deliveries.idle();
  const got = receiver.on('/periods');
  expect(got.map((g) => [g.body.threshold_pct, g.body.period_start])).toEqual([
    [50, '2026-12-01T00:00:00.000Z'],
    [80, '2026-12-01T00:00:00.000Z'],
    [50, '2026-12-02T00:00:00.000Z'],
    [80, '2026-12-02T00:00:00.000Z'],
    [100, '2026-12-02T00:00:00.000Z'],
  ]);
  expect(String(got.at(-1)!.body.summary)).toContain('refused a request for want of room');
  await alerter.close();
  clock.stop();
  store.close();
});

test('without webhooks nothing is watched, claimed or sent', async () => {
  const store = await openStore({ url: ':memory:' });
  await migrate(store.client);
  const clock = createFakeClock();
  const alerter = createAlerter({ store, config: () => alertsSchema.parse({}), clock, logger: silentLogger, instance: 'i1' });
  // No timer is left on the clock of a gateway without alerts.
  expect(clock.pending()).toBe(0);
  await store.client.execute({ sql: "INSERT INTO spend (scope, scope_id, period, period_start, spent_micros) VALUES ('team', 'ml', 'day', ?, 5000)", args: [periodStart('day', clock.wall())] });
  alerter.budgetsTouched([{ scope: 'team', id: 'ml', period: 'day', limitMicros: 1000 }], true);
  alerter.breakerOpened('openai', 'gpt-4o', 1);
  await alerter.check();
  expect(Number((await store.client.execute('SELECT count(*) AS n FROM alert_firings')).rows[0]!.n)).toBe(0);
  expect(clock.pending()).toBe(0);
  await alerter.close();
  store.close();
});
