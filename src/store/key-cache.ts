import type { Logger } from '../lib/logger.ts';
import type { Store } from './client.ts';
import { findKeyByHash, type KeyRow } from './keys.ts';

export interface KeyCache {
  /** The key row for a hash, or undefined when no such key exists. */
  get(hash: string): Promise<KeyRow | undefined>;
  close(): void;
}

/**
 * Keeps looked-up keys in memory and polls the database every `refreshMs` for rows whose
 * `updated_at` moved (revocations, rotations), so a revoked key is refused within about a
 * second on every instance sharing the database. Unknown hashes are remembered briefly so a
 * stream of bad keys cannot hammer the database.
 */
export function keyCache(store: Store, logger: Logger, { refreshMs = 400, negativeTtlMs = 1000 } = {}): KeyCache {
  const known = new Map<string, KeyRow>();
  const misses = new Map<string, number>();
  let watermark = Date.now() - 1;
  let polling = false;
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
      // Only the hash and the change time: a row whose other columns cannot be read (an
      // out-of-range integer) must not stop the poll for every other key.
      const changed = await store.client.execute({
        sql: 'SELECT hash, updated_at FROM virtual_keys WHERE updated_at > ? AND updated_at < 9007199254740991 ORDER BY updated_at',
        args: [watermark - 2000],
      });
      for (const r of changed.rows) {
        const hash = String(r.hash);
        const at = Number(r.updated_at);
        misses.delete(hash);
        if (known.has(hash)) {
          const row = await readable(findKeyByHash(store, hash));
          if (row) known.set(hash, row);
          else known.delete(hash);
        }
        // Moved only past rows handled, so a failed read is retried on the next poll.
        if (at > watermark) watermark = at;
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
      if (missAt && Date.now() - missAt < negativeTtlMs) return undefined;
      // An unreadable row fails closed: the key is refused, nothing else is affected.
      const row = await readable(findKeyByHash(store, hash));
      if (row) known.set(hash, row);
      else {
        if (misses.size > 10_000) misses.clear();
        misses.set(hash, Date.now());
      }
      return row;
    },
    close: () => clearInterval(timer),
  };
}
