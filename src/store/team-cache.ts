import { eq } from 'drizzle-orm';
import type { Store } from './client.ts';
import { teams } from './schema.ts';

export type TeamRow = typeof teams.$inferSelect;

/** Team rows (budgets, limits) for the hot path, re-read at most every `ttlMs`. */
export function teamCache(store: Store, { ttlMs = 2000 } = {}) {
  const cache = new Map<string, { at: number; row: TeamRow | undefined }>();
  return async function team(id: string | undefined, now = Date.now()): Promise<TeamRow | undefined> {
    if (!id) return undefined;
    const hit = cache.get(id);
    if (hit && now - hit.at < ttlMs) return hit.row;
    const rows = await store.db.select().from(teams).where(eq(teams.id, id)).limit(1);
    if (cache.size > 10_000) cache.clear();
    cache.set(id, { at: now, row: rows[0] });
    return rows[0];
  };
}

export type TeamCacheFn = ReturnType<typeof teamCache>;
