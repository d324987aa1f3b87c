import type { Store } from './client.ts';
import { periodStart } from './periods.ts';

export interface SpendCounters {
  day_usd: number;
  month_usd: number;
  day_requests: number;
  month_requests: number;
}

const ZERO: SpendCounters = { day_usd: 0, month_usd: 0, day_requests: 0, month_requests: 0 };

/**
 * Day and month spend per key or team for the policy input, read from the spend table and
 * kept for `ttlMs` so the hot path reads the database at most once a second per scope.
 */
export function spendCounters(store: Store, { ttlMs = 1000 } = {}) {
  const cache = new Map<string, { at: number; value: SpendCounters }>();
  return async function counters(scope: 'key' | 'team', id: string | undefined, now = Date.now()): Promise<SpendCounters> {
    if (!id) return ZERO;
    const k = `${scope}:${id}`;
    const hit = cache.get(k);
    if (hit && now - hit.at < ttlMs) return hit.value;
    const day = periodStart('day', now);
    const month = periodStart('month', now);
    const r = await store.client.execute({
      sql: `SELECT period, spent_micros, requests FROM spend WHERE scope = ? AND scope_id = ? AND ((period = 'day' AND period_start = ?) OR (period = 'month' AND period_start = ?))`,
      args: [scope, id, day, month],
    });
    const value = { ...ZERO };
    for (const row of r.rows) {
      if (row.period === 'day') {
        value.day_usd = Number(row.spent_micros) / 1e6;
        value.day_requests = Number(row.requests);
      } else {
        value.month_usd = Number(row.spent_micros) / 1e6;
        value.month_requests = Number(row.requests);
      }
    }
    if (cache.size > 50_000) cache.clear();
    cache.set(k, { at: now, value });
    return value;
  };
}

export type SpendCountersFn = ReturnType<typeof spendCounters>;
