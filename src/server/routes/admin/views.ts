import type { AuditRow } from '../../../store/audit.ts';
import type { KeyRow, Period } from '../../../store/keys.ts';
import type { TeamRow } from '../../../store/teams.ts';
import type { UserRow } from '../../../store/users.ts';
import { formatUsd, reportRecords, type UsageReport } from '../../../store/usage-report.ts';

export type KeyStatus = 'active' | 'rotating' | 'expired' | 'revoked';

/** `rotating`: replaced by `keys rotate`, still accepted until its grace period ends. */
export function keyStatus(row: KeyRow, now = Date.now()): KeyStatus {
  if (row.revokedAt != null && row.revokedAt <= now) return 'revoked';
  if (row.expiresAt != null && row.expiresAt <= now) return 'expired';
  return row.rotatedTo ? 'rotating' : 'active';
}

export interface BudgetView {
  usd: number;
  /** Exact amount in integer micro-dollars. */
  micros: number;
  period: Period;
}

function budgetView(micros: number | null, period: Period | null): BudgetView | null {
  return micros != null && period ? { usd: micros / 1_000_000, micros, period } : null;
}

/** `$50/month`, `$12.5/day`; `-` for none. */
export function budgetText(b: { micros: number; period: Period } | null): string {
  return b ? `$${formatUsd(b.micros).replace(/\.?0+$/, '')}/${b.period}` : '-';
}

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

/** A key as the admin API and `keys list --format json` show it: never the hash, never the key. */
export function keyView(row: KeyRow, now = Date.now()) {
  return {
    id: row.id,
    object: 'virtual_key' as const,
    prefix: row.prefix,
    name: row.name,
    team: row.teamId,
    user: row.userId,
    tags: row.tags ?? [],
    models: row.allowedModels,
    budget: budgetView(row.budgetMicros, row.budgetPeriod),
    budget_alerts: row.budgetAlerts ?? null,
    rpm: row.rpm,
    tpm: row.tpm,
    status: keyStatus(row, now),
    expires_at: iso(row.expiresAt),
    revoked_at: iso(row.revokedAt),
    rotated_to: row.rotatedTo,
    metadata: row.metadata,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}
export type KeyView = ReturnType<typeof keyView>;

export function teamView(row: TeamRow) {
  return {
    id: row.id,
    object: 'team' as const,
    name: row.name,
    budget: budgetView(row.budgetMicros, row.budgetPeriod),
    budget_alerts: row.budgetAlerts ?? null,
    rpm: row.rpm,
    tpm: row.tpm,
    models: row.allowedModels,
    metadata: row.metadata,
    created_at: iso(row.createdAt),
  };
}
export type TeamView = ReturnType<typeof teamView>;

export function userView(row: UserRow) {
  return { id: row.id, object: 'user' as const, name: row.name, email: row.email, team: row.teamId, created_at: iso(row.createdAt) };
}
export type UserView = ReturnType<typeof userView>;

/** A usage report as JSON: one record per group, totals apart; `cost_usd` is exact (6 decimals). */
export function usageView(report: UsageReport) {
  const { by, since, until, team } = report.query;
  return {
    object: 'usage_report' as const,
    by,
    since: iso(since),
    until: iso(until ?? null),
    team: team ?? null,
    rows: reportRecords(report).slice(0, -1),
    totals: { ...report.totals, cost_usd: formatUsd(report.totals.cost_micros) },
  };
}

/** An audit entry with its time as ISO 8601. */
export function auditView(r: AuditRow) {
  return { seq: r.seq, at: new Date(r.at).toISOString(), actor: r.actor, source: r.source, action: r.action, target: r.target, detail: r.detail };
}
