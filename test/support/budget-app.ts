import { parseConfig } from '../../src/config/load.ts';
import { buildRuntime, runtimeHolder } from '../../src/config/runtime.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { rateLimiter } from '../../src/limits/rate-limiter.ts';
import type { PolicyRuntime } from '../../src/policy/runtime.ts';
import { createApp } from '../../src/server/app.ts';
import type { UsageRecord } from '../../src/store/usage-record.ts';
import { budgetGate } from '../../src/store/budget-leases.ts';
import { openStore, type Store } from '../../src/store/client.ts';
import { spendCounters } from '../../src/store/counters.ts';
import { keyCache } from '../../src/store/key-cache.ts';
import { migrate } from '../../src/store/migrate.ts';
import { teamCache } from '../../src/store/team-cache.ts';
import type { ResponseCache } from '../../src/cache/response-cache.ts';

export interface BudgetAppOptions {
  /** Wraps the store the budget gate writes through (to inject failures). */
  gateStore?: (s: Store) => Store;
  policy?: PolicyRuntime;
  transport?: typeof fetch;
  /** The response cache the app uses (default: createApp's own on the store). */
  cache?: (s: Store) => ResponseCache;
}

/**
 * The app as `serve` wires it (database keys, teams, budget leases, rate limits), in process, on
 * an in-memory database. `records` receives every usage row; `spend()` reads the budget counters
 * after the leases are flushed.
 */
export async function budgetApp(yaml: string, o: BudgetAppOptions = {}) {
  const store = await openStore({ url: ':memory:' });
  await migrate(store.client);
  const config = parseConfig(yaml, 'test.yaml', {}).config;
  const records: UsageRecord[] = [];
  const budgets = budgetGate(o.gateStore ? o.gateStore(store) : store, silentLogger, { flushMs: 20 });
  const keys = keyCache(store, silentLogger, { refreshMs: 100 });
  const limiter = rateLimiter();
  const app = createApp({
    runtime: runtimeHolder(buildRuntime(config, o.transport)),
    keys,
    store,
    logger: silentLogger,
    enforce: { logger: silentLogger, limiter, budgets, team: teamCache(store, { ttlMs: 0 }), counters: spendCounters(store, { ttlMs: 0 }), policy: o.policy },
    onUsage: (r) => records.push(r),
    cache: o.cache?.(store),
  });
  const post = async (path: string, key: string, body: unknown, init: RequestInit = {}): Promise<Response> =>
    await app.request(path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body), ...init });
  /** Spent and reserved micro-dollars on a scope's counter for a period, after a flush. */
  const spend = async (scope: 'key' | 'team', period = 'day') => {
    await budgets.flush();
    const r = await store.client.execute({ sql: 'SELECT coalesce(sum(spent_micros), 0) AS spent, coalesce(sum(reserved_micros), 0) AS reserved FROM spend WHERE scope = ? AND period = ?', args: [scope, period] });
    return { spent: Number(r.rows[0]!.spent), reserved: Number(r.rows[0]!.reserved) };
  };
  /** Waits until `n` usage rows have arrived (estimated rows come a turn later). */
  const rows = async (n: number) => {
    for (let i = 0; i < 400 && records.length < n; i++) await Bun.sleep(5);
    return records;
  };
  const close = async () => {
    await budgets.close();
    keys.close();
    store.close();
  };
  return { app, store, budgets, limiter, records, post, spend, rows, close };
}

/** The sum of what the ledger says was spent. */
export const ledgerMicros = (records: UsageRecord[]) => records.reduce((n, r) => n + r.cost_micros, 0);
