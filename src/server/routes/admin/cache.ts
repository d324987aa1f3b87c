import { Hono } from 'hono';
import { z } from 'zod';
import { createResponseCache, type ResponseCache } from '../../../cache/response-cache.ts';
import type { CacheStats } from '../../../store/cache-entries.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { auditEntry } from './audit-entries.ts';
import { auditAdmin } from './audit-trail.ts';
import { readQuery, storeOf } from './input.ts';

/** Which entries: a team's, a public model's, both, or (neither given) all. */
export const cacheFilterQuery = z.strictObject({ team: z.string().min(1).optional(), model: z.string().min(1).optional() });

/** The stats as the admin API and `tollgate cache stats --format json` show them. */
export const cacheStatsView = (s: CacheStats & { memoryEntries?: number; memoryBytes?: number; coalescedWaiting?: number }) => ({
  object: 'cache.stats',
  entries: s.entries,
  bytes: s.bytes,
  expired_entries: s.expired,
  hits: s.hits,
  saved_usd: s.savedMicros / 1e6,
  ...(s.memoryEntries !== undefined ? { memory_entries: s.memoryEntries, memory_bytes: s.memoryBytes } : {}),
  ...(s.coalescedWaiting !== undefined ? { coalesced_waiting: s.coalescedWaiting } : {}),
});

function cacheOf(deps: AppDeps): ResponseCache {
  return deps.cache ?? createResponseCache({ store: storeOf(deps), logger: deps.logger, config: () => deps.runtime.current().config.cache, wall: () => deps.clock?.wall() ?? Date.now() });
}

/**
 * `GET /admin/cache?team=&model=` — the response cache's entries, bytes, hits and saved spend;
 * `DELETE /admin/cache?team=&model=` — purges them (every instance's memory front sees it on its
 * next lookup: a memory hit checks its row), recorded in the audit log. `coalesced_waiting`:
 * requests on this instance waiting for an identical miss in flight.
 */
export function adminCacheRoute(deps: AppDeps) {
  return new Hono<Env>()
    .get('/admin/cache', async (c) => c.json(cacheStatsView(await cacheOf(deps).stats(readQuery(c, cacheFilterQuery)))))
    .delete('/admin/cache', async (c) => {
      const filter = readQuery(c, cacheFilterQuery);
      const removed = await cacheOf(deps).purge(filter);
      await auditAdmin(deps, c, auditEntry.cachePurge(filter, removed));
      return c.json({ object: 'cache.purge', removed, ...filter });
    });
}
