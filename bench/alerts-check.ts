/**
 * What budget alerts cost. (1) The hot path: the spend book tells the alerter which budgets a
 * settled request touched (a Map write), µs per request. (2) One budget check off the hot path:
 * the spend of N touched budgets read from a file database and compared with their thresholds,
 * ms per check (it runs every alerts.check_ms, default 1 s).
 *
 *   bun bench/alerts-check.ts [--budgets 1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAlerter } from '../src/alerts/alerter.ts';
import { alertsSchema } from '../src/config/schema.ts';
import { realClock } from '../src/lib/clock.ts';
import { silentLogger } from '../src/lib/logger.ts';
import { openStore } from '../src/store/client.ts';
import { migrate } from '../src/store/migrate.ts';
import { periodStart } from '../src/store/periods.ts';
import type { BudgetScope } from '../src/store/budgets.ts';

const { values } = parseArgs({ options: { budgets: { type: 'string', default: '1000' } } });
const N = Number(values.budgets);
const dir = mkdtempSync(join(tmpdir(), 'tg-alerts-bench-'));
const store = await openStore({ url: `file:${join(dir, 'b.db')}` });
await migrate(store.client);
// A webhook nobody listens on: below every threshold, nothing is sent.
const config = alertsSchema.parse({ webhooks: [{ url: 'http://127.0.0.1:9/none' }], check_ms: 60_000 });
const alerter = createAlerter({ store, config: () => config, clock: realClock, logger: silentLogger, instance: 'bench' });
const scopes: BudgetScope[] = Array.from({ length: N }, (_, i) => ({ scope: 'key', id: `key_${i}`, period: 'month', limitMicros: 100_000_000 }));
const start = periodStart('month', Date.now());
for (let i = 0; i < N; i += 200) {
  await store.client.batch(scopes.slice(i, i + 200).map((s) => ({ sql: 'INSERT INTO spend (scope, scope_id, period, period_start, spent_micros) VALUES (?, ?, ?, ?, ?)', args: [s.scope, s.id, s.period, start, 10_000_000] })), 'write');
}

const rounds = 200_000;
const t0 = performance.now();
for (let i = 0; i < rounds; i++) alerter.budgetsTouched([scopes[i % N]!]);
const hotUs = ((performance.now() - t0) * 1000) / rounds;

const checks: number[] = [];
for (let i = 0; i < 20; i++) {
  for (const s of scopes) alerter.budgetsTouched([s]);
  const c0 = performance.now();
  await alerter.check();
  checks.push(performance.now() - c0);
}
checks.sort((a, b) => a - b);
console.log(`budgetsTouched: ${hotUs.toFixed(3)} µs per request`);
console.log(`check of ${N} touched budgets (file database, 10% used, nothing fires): median ${checks[10]!.toFixed(1)} ms, max ${checks.at(-1)!.toFixed(1)} ms over ${checks.length} checks`);
await alerter.close();
store.close();
rmSync(dir, { recursive: true, force: true });
