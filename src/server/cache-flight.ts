import type { CacheEntry } from '../store/cache-entries.ts';
import type { CacheHit, CacheTurn } from './cache-turn.ts';

/** Ends a leader's flight with the entry its answer was stored as, or nothing (failed, cut, not cacheable). */
export type SettleFlight = (entry?: CacheEntry) => void;
const none: SettleFlight = () => {};

/**
 * A miss meets the identical misses under way on this instance (same exact key: same tenant,
 * target and request). When one is in flight and this request may read the cache, it waits for
 * that answer and is served it as a hit — when it was stored, and under one of this request's own
 * keys. Otherwise (none in flight, or the leader failed, was cut, gave an answer not kept, or the
 * wait ran out or this client left) the request goes upstream itself, leading the flight when it
 * will store its answer and no other does. Only one wait per request: after a failed leader the
 * followers go upstream side by side rather than queue behind each other's failures.
 */
export async function coalesceMiss(turn: CacheTurn | undefined, signal: AbortSignal): Promise<{ hit?: CacheHit; settle: SettleFlight; upstreamSignal?: AbortSignal }> {
  const key = turn?.keys[0]?.key;
  if (!turn || !key || !turn.cache.config().coalesce_wait_ms) return { settle: none };
  const flights = turn.cache.flights;
  // join() answers at once when nothing is in flight, so leading follows looking with no gap.
  const waiting = turn.plan.read ? flights.join(key, signal) : undefined;
  if (waiting) {
    const entry = await waiting;
    if (entry && turn.keys.some((k) => k.key === entry.key)) {
      turn.cache.noteHit(entry.key);
      return { hit: { entry, coalesced: true }, settle: none };
    }
  }
  const lead = turn.plan.write ? flights.lead(key) : undefined;
  if (!lead) return { settle: none };
  // The leader's client leaving cuts its upstream call only when nobody waits for the answer:
  // the call runs on for the followers (they are served it), billed to the leader, who asked first.
  const upstream = new AbortController();
  const onAbort = () => flights.waiters(key) === 0 && upstream.abort(signal.reason);
  if (signal.aborted) upstream.abort(signal.reason);
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    upstreamSignal: upstream.signal,
    settle: (entry) => {
      signal.removeEventListener('abort', onAbort);
      lead(entry, entry && turn.cache.written(entry.key));
    },
  };
}
