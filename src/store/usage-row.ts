import type { InValue } from '@libsql/client';
import { rowInserter as tableInserter } from './row-insert.ts';
import { usage } from './schema.ts';
import type { UsageRecord } from './usage-record.ts';
import { unreservedSpend, type SpendItem } from './spend-book.ts';

export type { SpendItem } from './spend-book.ts';

export type UsageRow = typeof usage.$inferInsert;

/** What prompt capture keeps of one request (the policy said `log_prompts: true`). */
export interface CaptureRow {
  request: string;
  response: string | null;
  truncated: boolean;
  redacted: string;
  expiresAt: number | null;
}

/** One ledger entry: the row, the spend it still has to book, and its prompt capture. This is also a journal line. */
export interface LedgerEntry {
  row: UsageRow;
  spend: SpendItem[];
  capture?: CaptureRow;
}

/** The row, the spend the spend book says it still has to book, and the capture if there is one. */
export function toEntry(r: UsageRecord): LedgerEntry {
  const c = r.capture;
  const row = toRow(r);
  const expiresAt = c?.retentionMs == null ? null : row.createdAt! + c.retentionMs;
  return { row, spend: unreservedSpend(r), ...(c && { capture: { request: c.request, response: c.response, truncated: c.truncated, redacted: c.redacted.join(','), expiresAt } }) };
}

/** Inserts the captures of these entries (none: no statement), written with their rows. */
export function captureStatements(entries: LedgerEntry[]): { sql: string; args: InValue[] }[] {
  // One statement per capture: each is up to 2 × capture.max_bytes, never one giant statement.
  return entries.flatMap(({ row, capture: c }) =>
    c ? [{ sql: 'INSERT OR IGNORE INTO prompt_captures (request_id, created_at, expires_at, request, response, truncated, redacted) VALUES (?, ?, ?, ?, ?, ?, ?)', args: [row.requestId, row.createdAt ?? Date.now(), c.expiresAt, c.request, c.response, c.truncated ? 1 : 0, c.redacted] }] : [],
  );
}

function toRow(r: UsageRecord): UsageRow {
  return {
    requestId: r.request_id,
    createdAt: Date.now(),
    endpoint: r.endpoint,
    keyName: r.key_name,
    keyHash: r.key_hash,
    team: r.team,
    user: r.user,
    requestedModel: r.requested_model,
    provider: r.provider,
    servedModel: r.served_model,
    attempts: r.attempts.length,
    status: r.status,
    outcome: r.outcome,
    stream: r.stream,
    inputTokens: r.usage.input_tokens,
    outputTokens: r.usage.output_tokens,
    cachedInputTokens: r.usage.cached_input_tokens,
    cacheWriteTokens: r.usage.cache_write_tokens,
    reasoningTokens: r.usage.reasoning_tokens,
    costMicros: r.cost_micros,
    priceVersion: r.price_version,
    usageSource: r.usage_source,
    latencyMs: r.latency_ms,
    decisionId: r.decision_id,
    policyRevision: r.policy_revision,
    tags: r.tags,
    metadata: r.metadata,
    ttftMs: r.ttft_ms,
    redacted: r.redacted?.join(','),
    droppedParams: r.dropped_params?.length ? r.dropped_params.join(',') : undefined,
    cacheHit: r.cache === 'hit',
    savedMicros: r.saved_micros ?? 0,
    errorClass: r.outcome === 'ok' ? null : r.error_message ? `${r.outcome}: ${r.error_message.slice(0, 300)}` : r.outcome,
  };
}

/** The usage table's inserter; `returning` adds `RETURNING request_id`: the ids a replay added, so it books spend only for those. */
export function rowInserter() {
  const insert = tableInserter(usage);
  return (rows: UsageRow[], returning = false) => insert(rows, returning ? 'request_id' : undefined);
}
