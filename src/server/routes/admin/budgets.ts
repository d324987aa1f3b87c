import { Hono } from 'hono';
import { budgetUses } from '../../../store/budget-report.ts';
import { formatUsd } from '../../../store/usage-report.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { storeOf } from './input.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** `GET /admin/budgets`: each team and key budget's use this period and a linear forecast to the period's end. */
export function adminBudgetsRoute(deps: AppDeps) {
  return new Hono<Env>().get('/admin/budgets', async (c) => {
    const now = deps.clock?.wall() ?? Date.now();
    const uses = await budgetUses(storeOf(deps), now);
    return c.json({
      object: 'list',
      data: uses.map((u) => ({
        scope: u.scope,
        id: u.id,
        name: u.name,
        period: u.period,
        period_start: iso(u.periodStart),
        period_end: iso(u.periodEnd),
        limit_micros: u.limitMicros,
        spent_micros: u.spentMicros,
        reserved_micros: u.reservedMicros,
        forecast_micros: u.forecastMicros,
        limit_usd: formatUsd(u.limitMicros),
        spent_usd: formatUsd(u.spentMicros),
        forecast_usd: formatUsd(u.forecastMicros),
        use_ratio: u.limitMicros ? u.spentMicros / u.limitMicros : null,
      })),
    });
  });
}
