import type { Store } from './client.ts';

/**
 * One admin action. `actor` is who (`master:<12 hex of the master key's sha-256>`, `cli`, or
 * `gateway` for reloads the gateway made itself); `source` is from where (the client's IP, `cli`,
 * or the instance id). `detail` names ids, prefixes and changed fields: never key material.
 */
export interface AuditEntry {
  actor: string;
  source: string;
  action: string;
  target?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditRow extends Required<Omit<AuditEntry, 'detail'>> {
  seq: number;
  at: number;
  detail: Record<string, unknown> | null;
}

/** Appends an entry. The table refuses UPDATE and DELETE (triggers in migration 0008). */
export async function recordAudit(store: Store, e: AuditEntry, now = Date.now()): Promise<void> {
  await store.client.execute({
    sql: 'INSERT INTO audit_log (at, actor, source, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)',
    args: [now, e.actor, e.source, e.action, e.target ?? null, e.detail ? JSON.stringify(e.detail) : null],
  });
}

/** Entries at or after `since` (epoch ms), oldest first, at most `limit` (the newest ones). */
export async function listAudit(store: Store, { since = 0, limit = 1000 }: { since?: number; limit?: number } = {}): Promise<AuditRow[]> {
  const rows = await store.client.execute({
    sql: 'SELECT * FROM (SELECT seq, at, actor, source, action, target, detail FROM audit_log WHERE at >= ? ORDER BY seq DESC LIMIT ?) ORDER BY seq',
    args: [since, limit],
  });
  return rows.rows.map((r) => ({
    seq: Number(r.seq),
    at: Number(r.at),
    actor: String(r.actor),
    source: String(r.source),
    action: String(r.action),
    target: r.target == null ? null : String(r.target),
    detail: r.detail == null ? null : (JSON.parse(String(r.detail)) as Record<string, unknown>),
  }));
}
