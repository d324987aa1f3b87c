import type { Logger } from '../lib/logger.ts';
import type { Store } from './client.ts';
import { findKeyByHash, type KeyRow } from './keys.ts';

export interface KeyCache {
  /** The key row for a hash, or undefined when no such key exists. */
  get(hash: string): Promise<KeyRow | undefined>;
  /** Drops a key this instance just changed, so its next request reads the new row at once. */
  evict(hash: string): void;
  close(): void;
}

export interface KeyCacheOptions {
  refreshMs?: number;
  negativeTtlMs?: number;
  /** Only for the negative cache's lifetime; change ordering never reads a clock. */
  now?: () => number;
}

/**
 * Keeps looked-up keys in memory and polls the database every `refreshMs` for keys whose change
 * number (`change_seq`, bumped in the same statement as every key write) passed the highest one
 * seen. Change numbers commit in order on the one database, so no instance's clock, however
 * skewed, can hide a revocation: a revoked key is refused within about `refreshMs` everywhere.
 * Unknown hashes are remembered briefly so a stream of bad keys cannot hammer the database.
 */
export function keyCache(store: Store, logger: Logger, { refreshMs = 400, negativeTtlMs = 1000, now = Date.now }: KeyCacheOptions = {}): KeyCache {
  const known = new Map<string, KeyRow>();
  const misses = new Map<string, number>();
  let watermark: number | undefined;
  let polling = false;
  // Read before any key is cached: a change made after a row was read has a higher number.
  const started = store.client
    .execute('SELECT coalesce(max(change_seq), 0) AS seq FROM virtual_keys')
    .then((r) => (watermark = Number(r.rows[0]!.seq)))
    .catch((e: unknown) => logger.warn('key cache start failed; it polls from the beginning', { error: String(e) }));
  /** A row libSQL cannot read (an integer past 2^53) fails closed: that key is refused, nothing else. */
  const readable = (p: Promise<KeyRow | undefined>) =>
    p.catch((e: unknown) => {
      if (!(e instanceof RangeError || (e instanceof Error && e.cause instanceof RangeError))) throw e;
      logger.warn('key row unreadable; the key is refused until it is fixed', { error: String(e.cause ?? e) });
      return undefined;
    });
  const timer = setInterval(async () => {
    if (polling) return;
    polling = true;
    try {
      await started;
      // Only the hash and the change number: a row whose other columns cannot be read (an
      // out-of-range integer) must not stop the poll for every other key.
      const changed = await store.client.execute({ sql: 'SELECT hash, change_seq FROM virtual_keys WHERE change_seq > ? ORDER BY change_seq', args: [watermark ?? 0] });
      for (const r of changed.rows) {
        const hash = String(r.hash);
        const seq = Number(r.change_seq);
        misses.delete(hash);
        if (known.has(hash)) {
          const row = await readable(findKeyByHash(store, hash));
          if (row) known.set(hash, row);
          else known.delete(hash);
        }
        // Moved only past rows handled, so a failed read is retried on the next poll.
        if (seq > (watermark ?? 0)) watermark = seq;
      }
    } catch (e) {
      logger.warn('key cache refresh failed', { error: String(e) });
    } finally {
      polling = false;
    }
  }, refreshMs);
  timer.unref?.();
  return {
    async get(hash) {
      const hit = known.get(hash);
      if (hit) return hit;
      const missAt = misses.get(hash);
      if (missAt !== undefined && now() - missAt < negativeTtlMs) return undefined;
      await started;
      // An unreadable row fails closed: the key is refused, nothing else is affected.
      const row = await readable(findKeyByHash(store, hash));
      if (row) known.set(hash, row);
      else {
        if (misses.size > 10_000) misses.clear();
        misses.set(hash, now());
      }
      return row;
    },
    evict(hash) {
      known.delete(hash);
      misses.delete(hash);
    },
    close: () => clearInterval(timer),
  };
}
