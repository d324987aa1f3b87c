export type Period = 'day' | 'week' | 'month';

/** Start of the UTC window containing `now` (weeks start on Monday). */
export function periodStart(period: Period, now: number): number {
  const d = new Date(now);
  if (period === 'day') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return dayStart - sinceMonday * 86_400_000;
}

/** When the window containing `now` ends (the budget resets). */
export function periodEnd(period: Period, now: number): number {
  const start = new Date(periodStart(period, now));
  if (period === 'day') return start.getTime() + 86_400_000;
  if (period === 'week') return start.getTime() + 7 * 86_400_000;
  return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
}
