import { and, desc, eq, gte, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Store } from './client.ts';
import { decisions, promptCaptures, usage } from './schema.ts';

export type UsageLogRow = typeof usage.$inferSelect;
export type CaptureLogRow = typeof promptCaptures.$inferSelect;
/** The decision log's row, without the (large, masked) input document. */
export type DecisionLogRow = Pick<typeof decisions.$inferSelect, 'decisionId' | 'allowed' | 'httpStatus' | 'policyRevision' | 'result' | 'reasons' | 'failure' | 'evalUs'>;

/** A search of the ledger's rows; every field is an exact match, newest first, at most `limit` rows. */
export interface RequestSearch {
  requestId?: string;
  decisionId?: string;
  outcome?: string;
  model?: string;
  team?: string;
  /** Epoch ms, exclusive: rows older than this (the next page). */
  before?: number;
  limit: number;
}

/** Rows of the usage table matching the search (one parameterised, indexed, LIMITed SELECT). */
export async function searchRequests(store: Store, q: RequestSearch): Promise<UsageLogRow[]> {
  const conds: (SQL | undefined)[] = [
    q.requestId != null ? eq(usage.requestId, q.requestId) : undefined,
    q.decisionId != null ? eq(usage.decisionId, q.decisionId) : undefined,
    q.outcome != null ? eq(usage.outcome, q.outcome) : undefined,
    q.model != null ? eq(usage.requestedModel, q.model) : undefined,
    q.team != null ? eq(usage.team, q.team) : undefined,
    q.before != null ? lt(usage.createdAt, q.before) : undefined,
  ];
  return store.db.select().from(usage).where(and(...conds)).orderBy(desc(usage.createdAt)).limit(q.limit);
}

/**
 * One request's usage row, its prompt capture (undefined when the policy did not ask for one) and
 * its policy decision from the decision log (undefined when it was not sampled or has expired).
 */
export async function requestDetail(store: Store, requestId: string): Promise<{ row: UsageLogRow; capture?: CaptureLogRow; decision?: DecisionLogRow } | undefined> {
  const [row] = await store.db.select().from(usage).where(eq(usage.requestId, requestId)).limit(1);
  if (!row) return undefined;
  const [capture] = await store.db.select().from(promptCaptures).where(eq(promptCaptures.requestId, requestId)).limit(1);
  const { decisionId, allowed, httpStatus, policyRevision, result, reasons, failure, evalUs } = decisions;
  const [decision] = await store.db
    .select({ decisionId, allowed, httpStatus, policyRevision, result, reasons, failure, evalUs })
    .from(decisions)
    .where(row.decisionId ? eq(decisions.decisionId, row.decisionId) : eq(decisions.requestId, requestId))
    .limit(1);
  return { row, capture, decision };
}

/** Per provider over [since, now): requests, failures (not `ok`, not a client that left) and latency, from the ledger. */
export interface ProviderLedgerStats {
  provider: string;
  requests: number;
  errors: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
}

export async function providerLedgerStats(store: Store, since: number): Promise<ProviderLedgerStats[]> {
  const rows = await store.db
    .select({
      provider: usage.provider,
      requests: sql<number>`count(*)`.mapWith(Number),
      errors: sql<number>`coalesce(sum(case when ${usage.outcome} not in ('ok', 'interrupted') then 1 else 0 end), 0)`.mapWith(Number),
      avgLatencyMs: sql<number>`coalesce(avg(${usage.latencyMs}), 0)`.mapWith(Number),
      maxLatencyMs: sql<number>`coalesce(max(${usage.latencyMs}), 0)`.mapWith(Number),
    })
    .from(usage)
    .where(and(gte(usage.createdAt, since), isNotNull(usage.provider)))
    .groupBy(usage.provider);
  return rows.map((r) => ({ ...r, provider: r.provider!, avgLatencyMs: Math.round(r.avgLatencyMs) }));
}
