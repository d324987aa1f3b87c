import type { Row } from '@libsql/client';
import type { Store } from './client.ts';

/** A decision log row as read back (JSON columns still text). */
export interface LoggedDecision {
  decisionId: string;
  requestId: string;
  createdAt: number;
  policyRevision: string;
  allowed: boolean;
  input: string;
  inputTruncated: boolean;
  result: string;
  failure: string | null;
}

const COLUMNS = 'rowid, decision_id, request_id, created_at, policy_revision, allowed, input, input_truncated, result, failure';

function toLogged(r: Row): LoggedDecision {
  return {
    decisionId: String(r.decision_id),
    requestId: String(r.request_id),
    createdAt: Number(r.created_at),
    policyRevision: String(r.policy_revision),
    allowed: Number(r.allowed) === 1,
    input: String(r.input),
    inputTruncated: Number(r.input_truncated) === 1,
    result: String(r.result),
    failure: r.failure === null ? null : String(r.failure),
  };
}

/** The decision with this decision id, else the latest one of this request id. */
export async function findDecision(store: Store, id: string): Promise<LoggedDecision | undefined> {
  const r = await store.client.execute({ sql: `SELECT ${COLUMNS} FROM decisions WHERE decision_id = ? OR request_id = ? ORDER BY decision_id = ? DESC, created_at DESC LIMIT 1`, args: [id, id, id] });
  return r.rows[0] ? toLogged(r.rows[0]) : undefined;
}

/** The usage row's decision id for a request, when the request is in the ledger. */
export async function usageDecisionId(store: Store, requestId: string): Promise<{ found: boolean; decisionId: string | null }> {
  const r = await store.client.execute({ sql: 'SELECT decision_id FROM usage WHERE request_id = ?', args: [requestId] });
  const row = r.rows[0];
  return { found: !!row, decisionId: row?.decision_id == null ? null : String(row.decision_id) };
}

/** Decisions logged since `since` (ms), oldest first, read in pages of `size` rows. */
export async function* decisionsSince(store: Store, since: number, size = 1000): AsyncGenerator<LoggedDecision[]> {
  // The first row since then, found by the created_at index, so the pages skip older rows without reading them.
  const first = await store.client.execute({ sql: 'SELECT min(rowid) AS r FROM decisions WHERE created_at >= ?', args: [since] });
  if (first.rows[0]?.r == null) return;
  let after = Number(first.rows[0].r) - 1;
  for (;;) {
    const r = await store.client.execute({ sql: `SELECT ${COLUMNS} FROM decisions WHERE created_at >= ? AND rowid > ? ORDER BY rowid LIMIT ?`, args: [since, after, size] });
    if (!r.rows.length) return;
    after = Number(r.rows.at(-1)!.rowid);
    yield r.rows.map(toLogged);
    if (r.rows.length < size) return;
  }
}
