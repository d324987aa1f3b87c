import type { InValue } from '@libsql/client';
import type { Store } from './client.ts';

/** One stored answer of the response cache. */
export interface CacheEntry {
  key: string;
  tenant: string;
  team: string | null;
  endpoint: string;
  provider: string;
  model: string;
  publicModel: string;
  createdAt: number;
  expiresAt: number;
  /** The answer's original cost: what each hit saves. */
  costMicros: number;
  /** The answer's JSON text in the client's schema (its length is the entry's size). */
  answer: string;
}

/** Which entries an admin means: all, or a team's, or a public model's, or both. */
export interface CacheFilter {
  team?: string;
  model?: string;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  hits: number;
  /** Spend the hits on these entries saved (each hit saves its entry's cost). */
  savedMicros: number;
  expired: number;
}

function where(f: CacheFilter): { sql: string; args: InValue[] } {
  const parts: string[] = [];
  const args: InValue[] = [];
  if (f.team !== undefined) parts.push('team = ?'), args.push(f.team);
  if (f.model !== undefined) parts.push('public_model = ?'), args.push(f.model);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

const toEntry = (r: Record<string, unknown>): CacheEntry => ({
  key: String(r.key),
  tenant: String(r.tenant),
  team: r.team === null ? null : String(r.team),
  endpoint: String(r.endpoint),
  provider: String(r.provider),
  model: String(r.model),
  publicModel: String(r.public_model),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  costMicros: Number(r.cost_micros),
  answer: String(r.answer),
});

/** The first live entry among `keys`, in their order (one statement). */
export async function findCacheEntry(store: Store, keys: string[], now: number): Promise<CacheEntry | undefined> {
  if (!keys.length) return undefined;
  const r = await store.client.execute({ sql: `SELECT * FROM cache_entries WHERE key IN (${keys.map(() => '?').join(',')}) AND expires_at > ?`, args: [...keys, now] });
  const found = new Map(r.rows.map((row) => [String(row.key), toEntry(row as unknown as Record<string, unknown>)]));
  for (const k of keys) if (found.has(k)) return found.get(k);
  return undefined;
}

/**
 * The creation time of the live entry under `key`, or undefined when there is none (purged,
 * evicted or expired): a memory front checks its copy against this, one primary-key read that
 * carries no answer, so a purge on any instance is seen at once.
 */
export async function liveEntryCreatedAt(store: Store, key: string, now: number): Promise<number | undefined> {
  const r = await store.client.execute({ sql: 'SELECT created_at FROM cache_entries WHERE key = ? AND expires_at > ?', args: [key, now] });
  return r.rows[0] ? Number(r.rows[0].created_at) : undefined;
}

/** Stores an entry; a live entry under the same key is replaced (its hit count starts again). */
export async function putCacheEntry(store: Store, e: CacheEntry): Promise<void> {
  await store.client.execute({
    sql: `INSERT INTO cache_entries (key, tenant, team, endpoint, provider, model, public_model, created_at, expires_at, last_hit_at, hits, bytes, cost_micros, answer)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
          ON CONFLICT (key) DO UPDATE SET tenant = excluded.tenant, team = excluded.team, endpoint = excluded.endpoint, provider = excluded.provider, model = excluded.model,
            public_model = excluded.public_model, created_at = excluded.created_at, expires_at = excluded.expires_at, last_hit_at = excluded.last_hit_at, hits = 0,
            bytes = excluded.bytes, cost_micros = excluded.cost_micros, answer = excluded.answer`,
    args: [e.key, e.tenant, e.team, e.endpoint, e.provider, e.model, e.publicModel, e.createdAt, e.expiresAt, e.createdAt, Buffer.byteLength(e.answer, 'utf8'), e.costMicros, e.answer],
  });
}

/** Counts hits on entries (their recency keeps them from eviction); one statement per key. */
export async function touchCacheEntries(store: Store, hits: Map<string, { count: number; at: number }>): Promise<void> {
  if (!hits.size) return;
  await store.client.batch(
    [...hits].map(([key, h]) => ({ sql: 'UPDATE cache_entries SET hits = hits + ?, last_hit_at = max(last_hit_at, ?) WHERE key = ?', args: [h.count, h.at, key] })),
    'write',
  );
}

/**
 * Removes expired entries, then, past either bound, the least recently used down to 90 % of it
 * (so an entry count at its bound pays for the delete once per tenth, not on every write).
 * Returns the keys removed.
 */
export async function evictCacheEntries(store: Store, bounds: { maxEntries: number; maxBytes: number }, now: number): Promise<string[]> {
  const expired = await store.client.execute({ sql: 'DELETE FROM cache_entries WHERE expires_at <= ? RETURNING key', args: [now] });
  const gone = expired.rows.map((r) => String(r.key));
  const r = await store.client.execute('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM cache_entries');
  const n = Number(r.rows[0]?.n ?? 0);
  const b = Number(r.rows[0]?.b ?? 0);
  if (n <= bounds.maxEntries && b <= bounds.maxBytes) return gone;
  const below = (cap: number) => cap - Math.max(1, Math.floor(cap / 10));
  const lru = await store.client.execute({
    sql: `DELETE FROM cache_entries WHERE key IN (
            SELECT key FROM (
              SELECT key, SUM(bytes) OVER w AS total, ROW_NUMBER() OVER w AS k FROM cache_entries
              WINDOW w AS (ORDER BY last_hit_at DESC, key DESC ROWS UNBOUNDED PRECEDING)
            ) WHERE total > ? OR k > ?) RETURNING key`,
    args: [below(bounds.maxBytes), below(bounds.maxEntries)],
  });
  return [...gone, ...lru.rows.map((row) => String(row.key))];
}

/** Deletes the entries the filter names; returns their keys. */
export async function purgeCacheEntries(store: Store, f: CacheFilter): Promise<string[]> {
  const w = where(f);
  const r = await store.client.execute({ sql: `DELETE FROM cache_entries ${w.sql} RETURNING key`, args: w.args });
  return r.rows.map((row) => String(row.key));
}

/** Counts of the entries the filter names. */
export async function cacheStats(store: Store, f: CacheFilter, now: number): Promise<CacheStats> {
  const w = where(f);
  const r = await store.client.execute({
    sql: `SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b, coalesce(sum(hits), 0) AS h, coalesce(sum(hits * cost_micros), 0) AS s,
            coalesce(sum(CASE WHEN expires_at <= ? THEN 1 ELSE 0 END), 0) AS x FROM cache_entries ${w.sql}`,
    args: [now, ...w.args],
  });
  const row = r.rows[0];
  return { entries: Number(row?.n ?? 0), bytes: Number(row?.b ?? 0), hits: Number(row?.h ?? 0), savedMicros: Number(row?.s ?? 0), expired: Number(row?.x ?? 0) };
}
