import { and, eq, isNotNull, isNull, or, gt } from 'drizzle-orm';
import type { Store } from './client.ts';
import type { Period } from './keys.ts';
import { periodEnd, periodStart } from './periods.ts';
import { spend, teams, virtualKeys } from './schema.ts';

/** One budget's current period: what is spent and held, and where a straight line from the period's start ends. */
export interface BudgetUse {
  scope: 'team' | 'key';
  id: string;
  name: string;
  period: Period;
  limitMicros: number;
  spentMicros: number;
  reservedMicros: number;
  periodStart: number;
  periodEnd: number;
  /** Spent so far, extended at the same rate to the end of the period (linear). */
  forecastMicros: number;
}

/** Linear forecast: the spend rate since the period began, carried to its end. */
export function linearForecast(spent: number, start: number, end: number, now: number): number {
  const elapsed = Math.max(now - start, 1);
  return Math.round((spent * (end - start)) / elapsed);
}

/** Every team and live key with a budget, with its spend in the current period (from the spend book's counters). */
export async function budgetUses(store: Store, now: number): Promise<BudgetUse[]> {
  const teamRows = await store.db.select().from(teams).where(isNotNull(teams.budgetMicros));
  const keyRows = await store.db
    .select()
    .from(virtualKeys)
    .where(and(isNotNull(virtualKeys.budgetMicros), or(isNull(virtualKeys.revokedAt), gt(virtualKeys.revokedAt, now))));
  const owners = [
    ...teamRows.map((t) => ({ scope: 'team' as const, id: t.id, name: t.name, micros: t.budgetMicros, period: t.budgetPeriod })),
    ...keyRows.map((k) => ({ scope: 'key' as const, id: k.id, name: k.name, micros: k.budgetMicros, period: k.budgetPeriod })),
  ];
  const out: BudgetUse[] = [];
  for (const o of owners) {
    if (o.micros == null || !o.period) continue;
    const start = periodStart(o.period, now);
    const end = periodEnd(o.period, now);
    const [s] = await store.db
      .select({ spent: spend.spentMicros, reserved: spend.reservedMicros })
      .from(spend)
      .where(and(eq(spend.scope, o.scope), eq(spend.scopeId, o.id), eq(spend.period, o.period), eq(spend.periodStart, start)));
    const spent = s?.spent ?? 0;
    out.push({ scope: o.scope, id: o.id, name: o.name, period: o.period, limitMicros: o.micros, spentMicros: spent, reservedMicros: s?.reserved ?? 0, periodStart: start, periodEnd: end, forecastMicros: linearForecast(spent, start, end, now) });
  }
  return out;
}
