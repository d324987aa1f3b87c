import { rowInserter as tableInserter } from './row-insert.ts';
import { usage } from './schema.ts';
import type { UsageRecord } from './usage-record.ts';
import { unreservedSpend, type SpendItem } from './spend-book.ts';

export type { SpendItem } from './spend-book.ts';

export type UsageRow = typeof usage.$inferInsert;

/** One ledger entry: the row and the spend it still has to book. This is also a journal line. */
export interface LedgerEntry {
  row: UsageRow;
  spend: SpendItem[];
}

/** The row, and the spend the spend book says it still has to book. */
export function toEntry(r: UsageRecord): LedgerEntry {
  return { row: toRow(r), spend: unreservedSpend(r) };
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
    ttftMs: r.ttft_ms,
    redacted: r.redacted?.join(','),
    droppedParams: r.dropped_params?.length ? r.dropped_params.join(',') : undefined,
    errorClass: r.outcome === 'ok' ? null : r.error_message ? `${r.outcome}: ${r.error_message.slice(0, 300)}` : r.outcome,
  };
}

/** The usage table's inserter; `returning` adds `RETURNING request_id`: the ids a replay added, so it books spend only for those. */
export function rowInserter() {
  const insert = tableInserter(usage);
  return (rows: UsageRow[], returning = false) => insert(rows, returning ? 'request_id' : undefined);
}
