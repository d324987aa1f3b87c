/**
 * One log line per key per interval: an outage that fails every request must not write a line
 * (or a stack) per request. `take(key)` says whether to log now and how many lines it held back
 * since the last one it let through.
 */
export interface LogThrottle {
  take(key: string): { log: boolean; suppressed: number };
}

export function logThrottle({ intervalMs = 10_000, now = Date.now }: { intervalMs?: number; now?: () => number } = {}): LogThrottle {
  const last = new Map<string, { at: number; suppressed: number }>();
  return {
    take(key) {
      const t = now();
      const seen = last.get(key);
      if (seen && t - seen.at < intervalMs) {
        seen.suppressed++;
        return { log: false, suppressed: seen.suppressed };
      }
      const suppressed = seen?.suppressed ?? 0;
      last.set(key, { at: t, suppressed: 0 });
      // Bounded: a key seen once long ago is not kept forever.
      if (last.size > 256) for (const [k, v] of last) if (t - v.at >= intervalMs) last.delete(k);
      return { log: true, suppressed };
    },
  };
}
