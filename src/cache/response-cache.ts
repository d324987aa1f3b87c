import type { CacheConfig } from '../config/cache-schema.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store } from '../store/client.ts';
import { realClock, type Clock } from '../lib/clock.ts';
import { cacheStats, evictCacheEntries, findCacheEntry, liveEntryCreatedAt, purgeCacheEntries, putCacheEntry, touchCacheEntries, type CacheEntry, type CacheFilter, type CacheStats } from '../store/cache-entries.ts';
import { memoryFront } from './memory-front.ts';
import { singleFlight } from './single-flight.ts';
import type { SemanticIndex } from './semantic-index.ts';
import type { EmbedCaller } from './semantic-embedder.ts';

export interface ResponseCacheDeps {
  store: Store;
  logger: Logger;
  /** The cache section in force (read on every call: a reload applies at once). */
  config: () => CacheConfig;
  /** Wall-clock epoch ms (entries expire by it). */
  wall: () => number;
  semantic?: SemanticIndex;
  /** Timers (the bounded wait of coalesced misses); the real clock when not given. */
  clock?: Pick<Clock, 'setTimeout'>;
}

/** How long the memory front keeps a copy before reading the answer from the database again (each hit still checks its row is there). */
export const MEMORY_TRUST_MS = 30_000;
const EVICT_EVERY_MS = 5_000;
const EVICT_EVERY_WRITES = 64;
const TOUCH_EVERY_MS = 1_000;
/** Answer bytes waiting for the database at most: past it new answers are not stored (a slow database must not grow memory without bound). */
export const WRITE_BACKLOG_BYTES = 32 * 1024 * 1024;

/**
 * The exact response cache: the database's `cache_entries` (shared by every instance on it)
 * behind a per-instance memory front. Reads that fail are misses (logged): the cache only ever
 * saves work, it never refuses a request. Writes, hit counts and evictions run after the answer
 * has gone, on the database thread, never on the request's path.
 */
export function createResponseCache(d: ResponseCacheDeps) {
  let front = frontFor(d.config());
  let frontConfig = d.config();
  const pending = new Set<Promise<unknown>>();
  const touches = new Map<string, { count: number; at: number }>();
  let touchTimer: ReturnType<typeof setTimeout> | undefined;
  let writes = 0;
  let lastEvict = 0;
  let backlog = 0;
  let behind = false;
  const flights = singleFlight<CacheEntry>({ clock: d.clock ?? realClock, waitMs: () => d.config().coalesce_wait_ms });
  const writing = new Map<string, Promise<unknown>>();
  const fits = (entry: CacheEntry) => Buffer.byteLength(entry.answer, 'utf8') <= d.config().max_entry_bytes;

  const mem = () => {
    const c = d.config();
    if (c !== frontConfig) {
      if (c.memory_entries !== frontConfig.memory_entries || c.memory_bytes !== frontConfig.memory_bytes) front = frontFor(c);
      frontConfig = c;
    }
    return front;
  };
  const track = <T>(p: Promise<T>, what: string): Promise<T | undefined> => {
    const q = p.catch((e) => {
      d.logger.warn(`response cache: ${what} failed`, { error: String(e) });
      return undefined;
    });
    pending.add(q);
    void q.finally(() => pending.delete(q));
    return q;
  };
  const flushTouches = () => {
    touchTimer = undefined;
    if (!touches.size) return;
    const batch = new Map(touches);
    touches.clear();
    void track(touchCacheEntries(d.store, batch), 'hit count');
  };
  const touch = (key: string, at: number) => {
    const t = touches.get(key);
    touches.set(key, { count: (t?.count ?? 0) + 1, at });
    touchTimer ??= setTimeout(flushTouches, TOUCH_EVERY_MS);
    (touchTimer as { unref?: () => void }).unref?.();
  };
  const forget = async (keys: string[]) => {
    front.delete(keys);
    if (keys.length && d.semantic?.remove) await d.semantic.remove(keys);
  };
  const evict = async () => {
    const c = d.config();
    await forget(await evictCacheEntries(d.store, { maxEntries: c.max_entries, maxBytes: c.max_bytes }, d.wall()));
  };

  return {
    semantic: d.semantic,
    /** Identical misses under way on this instance, by exact key (src/server/cache-flight.ts). */
    flights,
    /** Counts a hit served without a lookup (a coalesced miss given the leader's entry). */
    noteHit: (key: string) => touch(key, d.wall()),
    /** Whether an answer this large is stored at all. */
    fits,
    /** The write of the entry under `key` while it is on its way to the database. */
    written: (key: string): Promise<unknown> | undefined => writing.get(key),
    /** The cache's wall clock (entries' times). */
    now: () => d.wall(),
    /** The cache section in force. */
    config: () => d.config(),
    /**
     * The first live entry among `keys` (the targets in the order they would be tried): memory,
     * then the database. A memory copy is served only while the database still holds that very
     * entry (one small read), so a purge or eviction by any instance is seen at once.
     */
    async lookup(keys: string[]): Promise<CacheEntry | undefined> {
      const now = d.wall();
      const m = mem();
      for (const k of keys) {
        const e = m.get(k, now);
        if (!e) continue;
        const createdAt = await track(liveEntryCreatedAt(d.store, k, now), 'read');
        if (createdAt === e.createdAt) {
          touch(k, now);
          return e;
        }
        m.delete([k]);
        break;
      }
      const found = await track(findCacheEntry(d.store, keys, now), 'read');
      if (!found) return undefined;
      m.set(found, now);
      touch(found.key, now);
      return found;
    },
    /** Stores an answer (after it was delivered); resolves when it is in the database (or failed, logged). */
    write(entry: CacheEntry, semantic?: { contextFingerprint: string; lastUserText: string; keyId?: string; caller?: EmbedCaller }): Promise<unknown> {
      if (!fits(entry)) return Promise.resolve();
      const size = Buffer.byteLength(entry.answer, 'utf8');
      if (backlog + size > WRITE_BACKLOG_BYTES) {
        // Once per episode: a flood of answers must not become a flood of log lines.
        if (!behind) d.logger.warn('response cache: answers not stored while the database is behind', { backlogBytes: backlog });
        behind = true;
        return Promise.resolve();
      }
      behind = false;
      backlog += size;
      const done = track(
        (async () => {
          try {
            await putCacheEntry(d.store, entry);
          } finally {
            backlog -= size;
          }
          // Into the front once its row exists: a memory copy is only served while its row is there.
          mem().set(entry, d.wall());
          if (semantic && d.semantic) await d.semantic.add({ scope: entry.tenant, contextFingerprint: semantic.contextFingerprint, lastUserText: semantic.lastUserText, entryKey: entry.key, expiresAt: entry.expiresAt, team: entry.team ?? undefined, keyId: semantic.keyId, caller: semantic.caller });
          const now = d.wall();
          if (++writes >= EVICT_EVERY_WRITES || now - lastEvict >= EVICT_EVERY_MS) {
            writes = 0;
            lastEvict = now;
            await evict();
          }
        })(),
        'write',
      );
      writing.set(entry.key, done);
      void done.finally(() => writing.get(entry.key) === done && writing.delete(entry.key));
      return done;
    },
    async purge(f: CacheFilter): Promise<number> {
      const keys = await purgeCacheEntries(d.store, f);
      flights.dropSettled();
      front.deleteWhere((e) => (f.team === undefined || e.team === f.team) && (f.model === undefined || e.publicModel === f.model));
      await forget(keys);
      return keys.length;
    },
    async stats(f: CacheFilter): Promise<CacheStats & { memoryEntries: number; memoryBytes: number; coalescedWaiting: number }> {
      return { ...(await cacheStats(d.store, f, d.wall())), memoryEntries: front.size(), memoryBytes: front.bytes(), coalescedWaiting: flights.waiting() };
    },
    /** Runs expiry and the size bounds now (the writes run them every few seconds). */
    evict,
    /** Waits for writes and hit counts in flight (tests, shutdown). */
    async flush(): Promise<void> {
      if (touchTimer) clearTimeout(touchTimer);
      flushTouches();
      while (pending.size) await Promise.all([...pending]);
    },
  };
}

export type ResponseCache = ReturnType<typeof createResponseCache>;

function frontFor(c: CacheConfig) {
  return memoryFront({ maxEntries: c.memory_entries, maxBytes: c.memory_bytes, maxAgeMs: MEMORY_TRUST_MS });
}
