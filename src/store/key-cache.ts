import { gt } from 'drizzle-orm';
import type { Logger } from '../lib/logger.ts';
import type { Store } from './client.ts';
import { findKeyByHash, type KeyRow } from './keys.ts';
import { virtualKeys } from './schema.ts';

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
  const timer = setInterval(async () => {
    if (polling) return;
    polling = true;
    try {
      const changed = await store.db.select().from(virtualKeys).where(gt(virtualKeys.updatedAt, watermark - 2000));
      for (const row of changed) {
        if (known.has(row.hash)) known.set(row.hash, row);
        misses.delete(row.hash);
        if (row.updatedAt > watermark) watermark = row.updatedAt;
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
      const row = await findKeyByHash(store, hash);
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
