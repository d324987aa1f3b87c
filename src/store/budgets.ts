import { GatewayError } from '../lib/errors.ts';
import type { Store } from './client.ts';
import { periodEnd, periodStart, type Period } from './periods.ts';

/** One budget that applies to a request. */
export interface BudgetScope {
  scope: 'key' | 'team';
  id: string;
  period: Period;
  limitMicros: number;
  /** Alert thresholds in percent of the limit; unset = the config's defaults. */
  alerts?: number[];
}

export interface Reservation {
  requestId: string;
  scopes: (BudgetScope & { periodStart: number })[];
  reservedMicros: number;
}

/**
 * Reserves the request's worst-case cost against every budget at once. The check and the
 * increment are one UPDATE covering all scopes, so concurrent requests (in this process or
 * another replica on the same database) can never together pass a limit: either every scope
 * has room and all are incremented, or none is and the request is refused with 429.
 */
export async function reserve(store: Store, requestId: string, scopes: BudgetScope[], worstMicros: number, now = Date.now(), owner: string | null = null): Promise<Reservation | undefined> {
  if (!scopes.length) return undefined;
  const keyed = scopes.map((s) => ({ ...s, periodStart: periodStart(s.period, now) }));
  const match = keyed.map(() => '(scope = ? AND scope_id = ? AND period = ? AND period_start = ?)').join(' OR ');
  const room = keyed.map(() => '(SELECT spent_micros + reserved_micros FROM spend WHERE scope = ? AND scope_id = ? AND period = ? AND period_start = ?) + ? <= ?').join(' AND ');
  const args: (string | number)[] = [worstMicros];
  for (const s of keyed) args.push(s.scope, s.id, s.period, s.periodStart);
  for (const s of keyed) args.push(s.scope, s.id, s.period, s.periodStart, worstMicros, s.limitMicros);
  const values = keyed.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
  const rows: (string | number | null)[] = keyed.flatMap((s) => [requestId, s.scope, s.id, s.period, s.periodStart, worstMicros, now, owner]);
  // One transaction: make sure the counters exist, reserve on all of them or none, and record
  // the reservation only when every counter moved (changes() is the UPDATE's row count).
  const results = await store.client.batch(
    [
      ...keyed.map((s) => ({ sql: 'INSERT OR IGNORE INTO spend (scope, scope_id, period, period_start) VALUES (?, ?, ?, ?)', args: [s.scope, s.id, s.period, s.periodStart] })),
      { sql: `UPDATE spend SET reserved_micros = reserved_micros + ? WHERE (${match}) AND ${room}`, args },
      { sql: `INSERT INTO reservations (request_id, scope, scope_id, period, period_start, reserved_micros, created_at, owner) SELECT * FROM (VALUES ${values}) WHERE changes() = ?`, args: [...rows, keyed.length] },
    ],
    'write',
  );
  if (results[keyed.length]!.rowsAffected !== keyed.length) throw await budgetError(store, keyed, worstMicros, now);
  return { requestId, scopes: keyed, reservedMicros: worstMicros };
}

/** Releases the reservation and books the actual cost, in one transaction. Idempotent. */
export async function settleReservation(store: Store, r: Reservation, actualMicros: number, now = Date.now()): Promise<void> {
  const stmts = r.scopes.flatMap((s) => [
    {
      // Only an open reservation is settled, so a repeated settle changes nothing.
      sql: `UPDATE spend SET reserved_micros = reserved_micros - ?, spent_micros = spent_micros + ?, requests = requests + 1
            WHERE scope = ? AND scope_id = ? AND period = ? AND period_start = ?
              AND EXISTS (SELECT 1 FROM reservations WHERE request_id = ? AND scope = ? AND scope_id = ? AND period = ? AND settled_at IS NULL)`,
      args: [r.reservedMicros, actualMicros, s.scope, s.id, s.period, s.periodStart, r.requestId, s.scope, s.id, s.period],
    },
    {
      sql: 'UPDATE reservations SET actual_micros = ?, settled_at = ? WHERE request_id = ? AND scope = ? AND scope_id = ? AND period = ? AND settled_at IS NULL',
      args: [actualMicros, now, r.requestId, s.scope, s.id, s.period],
    },
  ]);
  await store.client.batch(stmts, 'write');
}

const PERIOD_WORD: Record<Period, string> = { day: 'daily', week: 'weekly', month: 'monthly' };

/**
 * The 429 for an exhausted budget. Retrying cannot help before the period resets (hours or
 * days away), so it carries `x-should-retry: false` (which the official OpenAI and Anthropic
 * SDKs obey) and no Retry-After for them to sleep on; the body names the budget, what is used
 * and when it resets.
 */
export async function budgetError(store: Store, scopes: Reservation['scopes'], worst: number, now: number): Promise<GatewayError> {
  for (const s of scopes) {
    const row = await store.client.execute({ sql: 'SELECT spent_micros, reserved_micros FROM spend WHERE scope = ? AND scope_id = ? AND period = ? AND period_start = ?', args: [s.scope, s.id, s.period, s.periodStart] });
    const spent = Number(row.rows[0]?.spent_micros ?? 0);
    const used = spent + Number(row.rows[0]?.reserved_micros ?? 0);
    if (used + worst > s.limitMicros) {
      const resets = new Date(periodEnd(s.period, now)).toISOString();
      return new GatewayError(
        'budget_exceeded',
        `The ${PERIOD_WORD[s.period]} budget of ${s.scope} '${s.id}' ($${usd(s.limitMicros)}) would be exceeded: $${usd(spent)} spent and $${usd(used - spent)} held by requests in flight; this request may cost up to $${usd(worst)}. It resets at ${resets}. Retrying before then will not help.`,
        { code: 'budget_exceeded', headers: { 'x-should-retry': 'false', 'x-tollgate-budget': `${s.scope}:${s.id}:${s.period}`, 'x-tollgate-budget-resets': resets } },
      );
    }
  }
  return new GatewayError('budget_exceeded', 'A budget would be exceeded by this request.', { code: 'budget_exceeded', headers: { 'x-should-retry': 'false' } });
}

const usd = (micros: number) => (micros / 1e6).toFixed(6);

/** Spent micro-dollars of each budget window, in order (0 for a window with no row yet); one query. */
export async function spentIn(store: Store, windows: (BudgetScope & { periodStart: number })[]): Promise<number[]> {
  if (!windows.length) return [];
  const match = windows.map(() => '(scope = ? AND scope_id = ? AND period = ? AND period_start = ?)').join(' OR ');
  const rs = await store.client.execute({ sql: `SELECT scope, scope_id, period, period_start, spent_micros FROM spend WHERE ${match}`, args: windows.flatMap((w) => [w.scope, w.id, w.period, w.periodStart]) });
  const found = new Map(rs.rows.map((r) => [`${r.scope}:${r.scope_id}:${r.period}:${r.period_start}`, Number(r.spent_micros)]));
  return windows.map((w) => found.get(`${w.scope}:${w.id}:${w.period}:${w.periodStart}`) ?? 0);
}
