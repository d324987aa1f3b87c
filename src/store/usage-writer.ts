import type { Logger } from '../lib/logger.ts';
import type { UsageRecord } from './usage-record.ts';
import type { Store } from './client.ts';
import { spendStatements } from './spend-book.ts';
import { firstLine } from './first-line.ts';
import { captureStatements, rowInserter, toEntry, type LedgerEntry } from './usage-row.ts';
import type { UsageJournal } from './usage-journal.ts';
import { batcher } from './batcher.ts';

/** How often expired prompt captures are deleted. */
const CAPTURE_PURGE_MS = 10 * 60_000;
/**
 * Prompt-capture text waiting in memory at most (the rows themselves are small). Past it, while
 * the database is slow, new captures are left out (their usage rows are kept) and logged.
 */
export const MAX_QUEUED_CAPTURE_BYTES = 64 * 1024 * 1024;
const captureSize = (e: LedgerEntry) => (e.capture ? e.capture.request.length + (e.capture.response?.length ?? 0) : 0);

/** What /readyz shows of the ledger. */
export interface LedgerHealth {
  /** `ok`; `journalling` (the database refuses, rows go to the journal); `failing_closed` (neither takes rows). */
  status: 'ok' | 'journalling' | 'failing_closed';
  /** Rows in memory, not yet in the database or the journal (a batch being written counts until it lands). */
  backlog: number;
  journal_bytes: number;
  journal_dir?: string;
  last_error?: string;
  last_error_at?: number;
  /** Why the database refuses rows, while it does. */
  database_error?: string;
  /** Why the journal refuses rows, while it does. */
  journal_error?: string;
}

export interface UsageWriter {
  /** Queues a row; never blocks the request. */
  write(record: UsageRecord): void;
  /** Writes everything queued now (to the database, else the journal), then replays the journal if the database takes writes. */
  flush(): Promise<void>;
  /** Replays journals left by this or an earlier process; throws when the database refuses. */
  recover(): Promise<{ rows: number; files: number }>;
  /** Stops the timer and flushes what is left; rows no store takes are logged whole, never dropped silently. */
  close(): Promise<void>;
  pending(): number;
  /** False when neither the database nor the journal takes writes: new requests are refused. */
  accepting(): boolean;
  health(): LedgerHealth;
}

export interface UsageWriterOptions {
  intervalMs?: number;
  maxBatch?: number;
  chunk?: number;
  /** Where rows go when the database refuses them; without one, a database failure fails closed. */
  journal?: UsageJournal;
}

/**
 * Batches usage rows off the hot path: one multi-row insert every `intervalMs` (or sooner when
 * `maxBatch` rows wait). A batch the database refuses is appended to the journal (one fsync per
 * batch); the journal is replayed once the database takes writes again, and emptied only after
 * its rows are committed. Replay is idempotent: request_id is the key and rows are INSERT OR IGNORE.
 */
export function usageWriter(store: Store, logger: Logger, { intervalMs = 200, maxBatch = 500, chunk = 100, journal }: UsageWriterOptions = {}): UsageWriter {
  let dbDown = false;
  // Without a journal there is nowhere else to put rows.
  let journalDown = !journal;
  let journalled = !!journal;
  let lastError: { message: string; at: number } | undefined;
  // The reason each store refuses, kept while it does: last_error alone flips between the two.
  let dbError: string | undefined;
  let journalError: string | undefined;
  const insert = rowInserter();
  // Flushes, replays and the close never interleave (a replay never races an append).
  const queue = batcher<LedgerEntry>({ intervalMs, maxBatch, write: writeBatch, after: afterWrite });

  const failed = (what: string, e: unknown) => {
    const message = `${what}: ${firstLine(e)}`;
    if (lastError?.message !== message) logger.error('usage ledger: ' + what, { error: firstLine(e) });
    lastError = { message, at: Date.now() };
    return message;
  };

  let queuedCaptureBytes = 0;
  let droppedCaptures = 0;

  async function writeBatch(batch: LedgerEntry[]): Promise<void> {
    let committed = 0;
    try {
      // Each chunk's rows and the spend they book commit in one transaction: rows stored with
      // their spend left unbooked would leave the budget counters short of the ledger (a batch
      // that fails is journalled whole, and its replay books the spend of the rows it adds).
      // Small chunks with a turn of the event loop between them keep one big write from
      // holding the database for long.
      for (let i = 0; i < batch.length; i += chunk) {
        const part = batch.slice(i, i + chunk);
        await store.client.batch([insert(part.map((e) => e.row)), ...spendStatements(part.flatMap((e) => e.spend)), ...captureStatements(part)], 'write');
        committed = Math.min(batch.length, i + chunk);
        if (committed < batch.length) await new Promise((r) => setImmediate(r));
      }
      dbDown = false;
      dbError = undefined;
    } catch (e) {
      dbDown = true;
      dbError = failed('the database refuses usage rows', e);
    }
    const rest = batch.slice(committed);
    // What is in the database or the journal no longer weighs on memory; requeued entries do.
    queuedCaptureBytes = Math.max(0, queuedCaptureBytes - batch.reduce((n, e) => n + captureSize(e), 0) + (journal ? 0 : rest.reduce((n, e) => n + captureSize(e), 0)));
    if (!rest.length) return;
    if (journal) {
      try {
        await journal.append(rest);
        journalDown = false;
        journalError = undefined;
        journalled = true;
        return;
      } catch (e) {
        journalDown = true;
        journalError = failed('the journal refuses usage rows', e);
      }
    }
    queue.requeue(rest);
  }

  /**
   * Each chunk in one transaction: rows, then spend for the rows this replay added (RETURNING), so
   * a re-replay books nothing twice. The one place the writer touches spend: the spend book gives
   * the statements, but they must commit with the rows or a crash between them books twice or never.
   */
  async function replayChunk(entries: LedgerEntry[]): Promise<void> {
    const tx = await store.client.transaction('write');
    try {
      const added = new Set((await tx.execute(insert(entries.map((e) => e.row), true))).rows.map((r) => String(r.request_id)));
      const fresh = entries.filter((e) => added.has(e.row.requestId));
      const stmts = [...spendStatements(fresh.flatMap((e) => e.spend)), ...captureStatements(fresh)];
      for (const s of stmts) await tx.execute(s);
      await tx.commit();
    } finally {
      tx.close();
    }
    // A local database runs on this thread: let requests through between chunks.
    await new Promise((r) => setImmediate(r));
  }

  async function replay(): Promise<{ rows: number; files: number }> {
    if (!journal) return { rows: 0, files: 0 };
    const files = await journal.pending();
    let rows = 0;
    for (const file of files) {
      const started = performance.now();
      const { entries, torn } = await journal.read(file, chunk, replayChunk);
      await journal.discard(file);
      rows += entries;
      logger.info('usage journal replayed into the database', { file, rows: entries, ms: Math.round(performance.now() - started), ...(torn ? { torn_lines: torn } : {}) });
    }
    journalled = false;
    return { rows, files: files.length };
  }

  /** Expired prompt captures (capture.retention) go, at most once per CAPTURE_PURGE_MS. */
  let purgedAt = -Infinity;
  async function purgeCaptures(): Promise<void> {
    const now = Date.now();
    if (now - purgedAt < CAPTURE_PURGE_MS) return;
    purgedAt = now;
    try {
      const r = await store.client.execute({ sql: 'DELETE FROM prompt_captures WHERE expires_at IS NOT NULL AND expires_at <= ?', args: [now] });
      if (r.rowsAffected) logger.info('expired prompt captures purged', { rows: r.rowsAffected });
    } catch (e) {
      logger.warn('expired prompt captures not purged; retried later', { error: firstLine(e) });
    }
  }

  /** With nothing queued, the replay is also the probe that finds the database back. */
  async function afterWrite(wrote: boolean): Promise<void> {
    if (!dbDown) await purgeCaptures();
    if (!journalled || queue.queued() || (wrote && dbDown)) return;
    try {
      await replay();
      dbDown = false;
      dbError = undefined;
    } catch (e) {
      dbDown = true;
      dbError = failed('journal replay failed; the journal is kept', e);
    }
  }

  return {
    write(r) {
      const e = toEntry(r);
      const size = captureSize(e);
      if (size && queuedCaptureBytes + size > MAX_QUEUED_CAPTURE_BYTES) {
        delete e.capture;
        droppedCaptures++;
        if (droppedCaptures === 1 || droppedCaptures % 1000 === 0) logger.warn('prompt captures left out: too many wait for the database', { dropped: droppedCaptures, queued_bytes: queuedCaptureBytes });
      } else queuedCaptureBytes += size;
      queue.push(e);
    },
    flush: queue.flush,
    recover: () =>
      queue.exclusive(async () => {
        try {
          return await replay();
        } catch (e) {
          dbDown = true;
          dbError = failed('journal replay failed; the journal is kept', e);
          throw e;
        }
      }),
    async close() {
      queue.stop();
      await queue.flush();
      const left = queue.left();
      if (!left.length) return;
      // Neither the database nor the journal took them: the log is the last place they can go.
      logger.error('usage rows written nowhere; they are in this log', { rows: left.length, journal_dir: journal?.dir, last_error: lastError?.message });
      // The row and its spend; a prompt capture is not copied into the log.
      for (const { capture, ...e } of left) logger.error('unrecorded usage row', { entry: JSON.stringify(e), ...(capture ? { capture: 'omitted' } : {}) });
    },
    pending: queue.pending,
    accepting: () => !(dbDown && journalDown),
    health: () => ({
      status: !dbDown ? 'ok' : journalDown ? 'failing_closed' : 'journalling',
      backlog: queue.pending(),
      journal_bytes: journal?.bytes() ?? 0,
      ...(journal ? { journal_dir: journal.dir } : {}),
      ...(lastError ? { last_error: lastError.message, last_error_at: lastError.at } : {}),
      ...(dbDown && dbError ? { database_error: dbError } : {}),
      ...(journalDown && journalError ? { journal_error: journalError } : {}),
    }),
  };
}
