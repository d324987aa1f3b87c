import type { InStatement } from '@libsql/client';
import { periodStart, type Period } from './periods.ts';

const PERIODS: Period[] = ['day', 'week', 'month'];

/** Upserts that add spend (summed per scope and period first) to the day, week and month counters, or to one period. */
export function spendStatements(items: { scope: 'key' | 'team'; id: string; micros: number; period?: Period }[], now = Date.now()): InStatement[] {
  const sums = new Map<string, { scope: 'key' | 'team'; id: string; period: Period; micros: number; n: number }>();
  for (const i of items) {
    for (const period of i.period ? [i.period] : PERIODS) {
      const k = `${i.scope}\u0000${i.id}\u0000${period}`;
      const cur = sums.get(k) ?? { scope: i.scope, id: i.id, period, micros: 0, n: 0 };
      cur.micros += i.micros;
      cur.n += 1;
      sums.set(k, cur);
    }
  }
  return [...sums.values()].map((s) => {
    const p = s.period;
    return {
      sql: `INSERT INTO spend (scope, scope_id, period, period_start, spent_micros, requests) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET spent_micros = spent_micros + excluded.spent_micros, requests = requests + excluded.requests`,
      args: [s.scope, s.id, p, periodStart(p, now), s.micros, s.n],
    };
  });
}
