import type { Logger } from '../lib/logger.ts';
import { logThrottle } from '../lib/log-throttle.ts';
import { batcher } from './batcher.ts';
import type { Store } from './client.ts';
import { firstLine } from './first-line.ts';
import { decisions } from './schema.ts';
import { rowInserter } from './row-insert.ts';

/** One decision as stored; built by policy/decision-record.ts (input masked and capped there). */
export type DecisionRow = typeof decisions.$inferInsert;

export interface DecisionLogStats {
  /** Rows queued or being written. */
  backlog: number;
  written: number;
  /** Left out by sampling (by design, not a loss). */
  sampled_out: number;
  /** Lost: the queue was full or the database refused their batch. */
  dropped: number;
}

export interface DecisionLog {
  /** Whether this decision is sampled in (denies and allows have their own rates). */
  wants(allowed: boolean): boolean;
  /** Queues a row; never blocks. A full queue drops it and counts the drop. */
  write(row: DecisionRow): void;
  /** Samples, builds and queues a row; a row that cannot be built is dropped and counted, never thrown to the request. */
  record(allowed: boolean, build: () => DecisionRow): void;
  readonly maxInputBytes: number;
  flush(): Promise<void>;
  /** Deletes rows older than the retention; returns how many. */
  purge(): Promise<number>;
  stats(): DecisionLogStats;
  close(): Promise<void>;
}

export interface DecisionLogOptions {
  sampleRate: number;
  denySampleRate: number;
  /** Milliseconds; null keeps rows forever. */
  retentionMs: number | null;
  maxInputBytes: number;
  maxQueue: number;
  intervalMs?: number;
  maxBatch?: number;
  /** How often the retention purge runs (default hourly; also once at start). */
  purgeEveryMs?: number;
  random?: () => number;
  now?: () => number;
}

const insert = rowInserter(decisions);
const PURGE_CHUNK = 5000;

/**
 * The decision log's writer, on the usage writer's batching loop (batcher.ts). Unlike usage
 * rows, decisions are not money: there is no journal, a full queue or a refused batch drops
 * rows and counts them (logged at most every 10 s), and a request never waits for the log.
 */
export function decisionLog(store: Store, logger: Logger, opts: DecisionLogOptions): DecisionLog {
  const { sampleRate, denySampleRate, retentionMs, maxInputBytes, maxQueue, intervalMs = 500, maxBatch = 500, purgeEveryMs = 3_600_000, random = Math.random, now = Date.now } = opts;
  const chunk = 100;
  let written = 0;
  let dropped = 0;
  let sampledOut = 0;
  const throttle = logThrottle();
  const lost = (n: number, why: string) => {
    dropped += n;
    const t = throttle.take(why);
    if (t.log) logger.warn('decision log: decisions dropped', { why, dropped_total: dropped, ...(t.suppressed ? { suppressed_lines: t.suppressed } : {}) });
  };
  const rows = batcher<DecisionRow>({
    intervalMs,
    maxBatch,
    async write(batch) {
      for (let i = 0; i < batch.length; i += chunk) {
        const part = batch.slice(i, i + chunk);
        try {
          await store.client.execute(insert(part));
          written += part.length;
        } catch (e) {
          lost(part.length, `the database refuses decision rows: ${firstLine(e)}`);
        }
        // A local database runs on this thread: let requests through between chunks.
        if (i + chunk < batch.length) await new Promise((r) => setImmediate(r));
      }
    },
  });

  /** Deletes in chunks with a turn of the event loop between them: a first purge of a big table must not hold the database. */
  async function purge(): Promise<number> {
    if (retentionMs === null) return 0;
    const before = now() - retentionMs;
    let total = 0;
    for (;;) {
      const r = await store.client.execute({ sql: 'DELETE FROM decisions WHERE rowid IN (SELECT rowid FROM decisions WHERE created_at < ? LIMIT ?)', args: [before, PURGE_CHUNK] });
      total += r.rowsAffected;
      if (r.rowsAffected < PURGE_CHUNK) return total;
      await new Promise((r) => setImmediate(r));
    }
  }

  const purgeSafely = () =>
    void rows.exclusive(purge).catch((e: unknown) => logger.warn('decision log: retention purge failed', { error: firstLine(e) }));
  const purger = setInterval(purgeSafely, purgeEveryMs);
  purger.unref?.();
  purgeSafely();

  return {
    wants(allowed) {
      const rate = allowed ? sampleRate : denySampleRate;
      const yes = rate >= 1 || (rate > 0 && random() < rate);
      if (!yes) sampledOut++;
      return yes;
    },
    write(row) {
      // The batch being written counts too: a slow write must not let a second full queue build behind it.
      if (rows.pending() >= maxQueue) return lost(1, 'the queue is full (policy.decision_log.max_queue)');
      // The multi-row insert sends every column: a NOT NULL one left out would make OR IGNORE skip the row.
      rows.push({ ...row, inputTruncated: row.inputTruncated ?? false, evalUs: row.evalUs ?? 0 });
    },
    record(allowed, build) {
      if (!this.wants(allowed)) return;
      let row: DecisionRow;
      try {
        row = build();
      } catch (e) {
        return lost(1, `a decision row could not be built: ${firstLine(e)}`);
      }
      this.write(row);
    },
    maxInputBytes,
    flush: rows.flush,
    purge: () => rows.exclusive(purge),
    stats: () => ({ backlog: rows.pending(), written, sampled_out: sampledOut, dropped }),
    async close() {
      clearInterval(purger);
      rows.stop();
      await rows.flush();
      if (rows.queued()) lost(rows.queued(), 'the gateway stopped with decisions unwritten');
    },
  };
}
