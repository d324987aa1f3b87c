import { getTableColumns } from 'drizzle-orm';
import type { InValue } from '@libsql/client';
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
    metadata: r.metadata,
    ttftMs: r.ttft_ms,
    redacted: r.redacted?.join(','),
    droppedParams: r.dropped_params?.length ? r.dropped_params.join(',') : undefined,
    errorClass: r.outcome === 'ok' ? null : r.error_message ? `${r.outcome}: ${r.error_message.slice(0, 300)}` : r.outcome,
  };
}

/**
 * A multi-row INSERT OR IGNORE built directly from the drizzle table's column names (request_id
 * is the key, so a row written twice is kept once). Drizzle's query builder cost about 10% of the
 * gateway's CPU under load for these 30-column batches. `returning` adds `RETURNING request_id`:
 * the ids actually inserted, so a replay books spend only for rows it added.
 */
export function rowInserter() {
  const cols = getTableColumns(usage);
  const keys = Object.keys(cols) as (keyof UsageRow)[];
  const names = keys.map((k) => `"${cols[k].name}"`).join(', ');
  const one = `(${keys.map(() => '?').join(', ')})`;
  return (rows: UsageRow[], returning = false) => {
    const args: InValue[] = [];
    for (const r of rows) {
      for (const k of keys) {
        const v = r[k];
        args.push(v === undefined || v === null ? null : typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'object' ? JSON.stringify(v) : (v as InValue));
      }
    }
    return { sql: `INSERT OR IGNORE INTO usage (${names}) VALUES ${rows.map(() => one).join(', ')}${returning ? ' RETURNING request_id' : ''}`, args };
  };
}
