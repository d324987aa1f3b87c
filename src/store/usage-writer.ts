import type { Logger } from '../lib/logger.ts';
import type { UsageRecord } from './usage-record.ts';
import { getTableColumns } from 'drizzle-orm';
import type { InValue } from '@libsql/client';
import { usage } from './schema.ts';
import type { Store } from './client.ts';
import { spendStatements } from './spend-book.ts';

export interface UsageWriter {
  /** Queues a row; never blocks the request. */
  write(record: UsageRecord): void;
  /** Writes everything queued now. */
  flush(): Promise<void>;
  /** Stops the timer and flushes what is left. */
  close(): Promise<void>;
  pending(): number;
}

/**
 * Batches usage rows off the hot path: one multi-row insert every `intervalMs` (or sooner when
 * `maxBatch` rows wait). A failed flush keeps its rows for the next try, so none are dropped.
 */
export function usageWriter(store: Store, logger: Logger, { intervalMs = 200, maxBatch = 500, chunk = 100 } = {}): UsageWriter {
  let queue: (typeof usage.$inferInsert)[] = [];
  // Spend of requests no reservation covered, booked with the rows so counters stay current.
  let spendQueue: { scope: 'key' | 'team'; id: string; micros: number; period?: 'day' | 'week' | 'month' }[] = [];
  let flushing: Promise<void> | undefined;
  const insert = rowInserter();
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref?.();

  async function flush(): Promise<void> {
    if (flushing) await flushing;
    if (!queue.length && !spendQueue.length) return;
    const batch = queue;
    const spendBatch = spendQueue;
    queue = [];
    spendQueue = [];
    flushing = (async () => {
      try {
        // Small inserts with a turn of the event loop between them: a local libSQL statement
        // runs on this thread, and one big insert would stall every request for milliseconds.
        for (let i = 0; i < batch.length; i += chunk) {
          await store.client.execute(insert(batch.slice(i, i + chunk)));
          if (i + chunk < batch.length) await new Promise((r) => setImmediate(r));
        }
      } catch (e) {
        queue = batch.concat(queue);
        spendQueue = spendBatch.concat(spendQueue);
        logger.error('usage flush failed; will retry', { rows: batch.length, error: String(e) });
        return;
      }
      try {
        const stmts = spendStatements(spendBatch);
        if (stmts.length) await store.client.batch(stmts, 'write');
      } catch (e) {
        logger.error('spend counters not updated', { error: String(e) });
      }
    })();
    await flushing;
    flushing = undefined;
  }

  return {
    write(r) {
      queue.push(toRow(r));
      if (r.usage_source !== 'none') {
        const keyId = r.key_id ?? r.key_hash;
        for (const [scope, id] of [['key', keyId], ['team', r.team]] as const) {
          if (!id) continue;
          for (const period of ['day', 'week', 'month'] as const) {
            if (!r.booked?.some((b) => b.scope === scope && b.period === period)) spendQueue.push({ scope, id, micros: r.cost_micros, period });
          }
        }
      }
      if (queue.length >= maxBatch) void flush();
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
    pending: () => queue.length,
  };
}

function toRow(r: UsageRecord): typeof usage.$inferInsert {
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
    errorClass: r.outcome === 'ok' ? null : r.error_message ? `${r.outcome}: ${r.error_message.slice(0, 300)}` : r.outcome,
  };
}

type Row = typeof usage.$inferInsert;

/**
 * A multi-row INSERT built directly from the drizzle table's column names. Drizzle's query
 * builder cost about 10% of the gateway's CPU under load for these 30-column batches.
 */
function rowInserter() {
  const cols = getTableColumns(usage);
  const keys = Object.keys(cols) as (keyof Row)[];
  const names = keys.map((k) => `"${cols[k].name}"`).join(', ');
  const one = `(${keys.map(() => '?').join(', ')})`;
  return (rows: Row[]) => {
    const args: InValue[] = [];
    for (const r of rows) {
      for (const k of keys) {
        const v = r[k];
        args.push(v === undefined || v === null ? null : typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'object' ? JSON.stringify(v) : (v as InValue));
      }
    }
    return { sql: `INSERT OR IGNORE INTO usage (${names}) VALUES ${rows.map(() => one).join(', ')}`, args };
  };
}
