import type { CacheEntry } from '../store/cache-entries.ts';

/**
 * The in-memory front of the cache: the hottest entries of this instance, least recently used
 * out first, bounded by count and bytes. An entry is trusted for at most `maxAgeMs` after it was
 * read from (or written to) the database, so a purge on another instance reaches this one within
 * that time; its own expiry always holds.
 */
export function memoryFront(o: { maxEntries: number; maxBytes: number; maxAgeMs: number }) {
  const entries = new Map<string, { entry: CacheEntry; bytes: number; loadedAt: number }>();
  let bytes = 0;
  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    bytes -= e.bytes;
  };
  return {
    get(key: string, now: number): CacheEntry | undefined {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.entry.expiresAt <= now || now - e.loadedAt > o.maxAgeMs) {
        drop(key);
        return undefined;
      }
      // Map order is recency: the hit moves to the end.
      entries.delete(key);
      entries.set(key, e);
      return e.entry;
    },
    set(entry: CacheEntry, now: number): void {
      drop(entry.key);
      const size = entry.answer.length * 2 + 512;
      if (size > o.maxBytes || o.maxEntries === 0) return;
      entries.set(entry.key, { entry, bytes: size, loadedAt: now });
      bytes += size;
      for (const key of entries.keys()) {
        if (entries.size <= o.maxEntries && bytes <= o.maxBytes) break;
        drop(key);
      }
    },
    delete(keys: Iterable<string>): void {
      for (const k of keys) drop(k);
    },
    /** Drops the entries a purge matched (`match` sees each entry). */
    deleteWhere(match: (e: CacheEntry) => boolean): void {
      for (const [k, e] of entries) if (match(e.entry)) drop(k);
    },
    size: () => entries.size,
    bytes: () => bytes,
  };
}

export type MemoryFront = ReturnType<typeof memoryFront>;
