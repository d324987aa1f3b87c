import type { Store } from './client.ts';
import type { Period } from './periods.ts';

/** One alert that fired: what, about whom, in which window, at which threshold. */
export interface Firing {
  id: string;
  kind: 'budget_threshold' | 'breaker_open' | 'ledger_backlog';
  /** `team:ml:month`, `openai/gpt-4o`, or an instance id. */
  subject: string;
  /** The budget period's start, or the repeat window's start (epoch ms). */
  windowStart: number;
  /** Percent for budget thresholds; 0 otherwise. */
  threshold: number;
  firedAt: number;
  instance: string | null;
  detail: Record<string, unknown>;
}

/**
 * Records the firing unless it already fired (the unique index on kind, subject, window and
 * threshold). True only for the one caller, across every instance on the database, whose row
 * went in: that one sends it.
 */
export async function claimFiring(store: Store, f: Firing): Promise<boolean> {
  const r = await store.client.execute({
    sql: 'INSERT OR IGNORE INTO alert_firings (id, kind, subject, window_start, threshold, fired_at, instance, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    args: [f.id, f.kind, f.subject, f.windowStart, f.threshold, f.firedAt, f.instance, JSON.stringify(f.detail)],
  });
  return r.rowsAffected === 1;
}

export interface SpendWindow {
  scope: 'key' | 'team';
  id: string;
  period: Period;
  periodStart: number;
}

/** Spent micro-dollars per budget window (held room not counted), keyed `scope:id:period:start`; 500 windows a query. */
export async function spentIn(store: Store, windows: SpendWindow[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < windows.length; i += 500) {
    const part = windows.slice(i, i + 500);
    // One primary-key lookup per window, joined from a VALUES list.
    const rows = await store.client.execute({
      sql: `WITH w(scope, scope_id, period, period_start) AS (VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')})
            SELECT s.scope, s.scope_id, s.period, s.period_start, s.spent_micros FROM w
            JOIN spend s ON s.scope = w.scope AND s.scope_id = w.scope_id AND s.period = w.period AND s.period_start = w.period_start`,
      args: part.flatMap((w) => [w.scope, w.id, w.period, w.periodStart]),
    });
    for (const r of rows.rows) out.set(`${String(r.scope)}:${String(r.scope_id)}:${String(r.period)}:${Number(r.period_start)}`, Number(r.spent_micros));
  }
  return out;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'dropped';

export interface DeliveryRow {
  firingId: string;
  webhook: number;
  /** The webhook's host: never its path or query, which may hold a token (Slack's do). */
  target: string;
  format: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  at: number;
}

/** Writes a delivery's state (one row per firing and webhook, updated as attempts are made). */
export async function recordDelivery(store: Store, d: DeliveryRow): Promise<void> {
  await store.client.execute({
    sql: `INSERT INTO alert_deliveries (firing_id, webhook, target, format, status, attempts, last_status, last_error, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (firing_id, webhook) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
            last_status = excluded.last_status, last_error = excluded.last_error, updated_at = excluded.updated_at`,
    args: [d.firingId, d.webhook, d.target, d.format, d.status, d.attempts, d.lastStatus ?? null, d.lastError ?? null, d.at, d.at],
  });
}
