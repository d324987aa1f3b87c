/** Recent outcomes of one deployment: error rate and median time to first byte over a window, and an EWMA for balancing. */
export interface Health {
  /** One finished attempt. `ttfbMs` when a first byte came; `failed` for server-side failures. */
  record(now: number, o: { failed: boolean; ttfbMs?: number; stream?: boolean }, alpha: number): void;
  /** Share of failed attempts in the window; 0 with no data. */
  errorRate(now: number, windowMs: number): number;
  /** Time-to-first-byte samples in the window (for the provider's p50). */
  ttfbs(now: number, windowMs: number): number[];
  counts(now: number, windowMs: number): { total: number; failed: number };
  /** EWMA of time to first byte for streams or JSON calls; undefined when stale or never seen. */
  ewma(now: number, stream: boolean, staleMs: number): number | undefined;
}

interface Sample {
  at: number;
  failed: boolean;
  ttfb?: number;
}

const CAPACITY = 256;

export function createHealth(): Health {
  const ring: Sample[] = [];
  let next = 0;
  const ewma = { stream: undefined as number | undefined, json: undefined as number | undefined, streamAt: 0, jsonAt: 0 };
  const recent = (now: number, windowMs: number) => ring.filter((s) => now - s.at <= windowMs);

  return {
    record(now, o, alpha) {
      const s: Sample = { at: now, failed: o.failed, ttfb: o.ttfbMs };
      if (ring.length < CAPACITY) ring.push(s);
      else ring[next] = s;
      next = (next + 1) % CAPACITY;
      if (o.ttfbMs === undefined) return;
      if (o.stream) {
        ewma.stream = ewma.stream === undefined ? o.ttfbMs : alpha * o.ttfbMs + (1 - alpha) * ewma.stream;
        ewma.streamAt = now;
      } else {
        ewma.json = ewma.json === undefined ? o.ttfbMs : alpha * o.ttfbMs + (1 - alpha) * ewma.json;
        ewma.jsonAt = now;
      }
    },
    errorRate(now, windowMs) {
      const { total, failed } = this.counts(now, windowMs);
      return total ? failed / total : 0;
    },
    ttfbs: (now, windowMs) => recent(now, windowMs).flatMap((s) => (s.ttfb === undefined ? [] : [s.ttfb])),
    counts(now, windowMs) {
      const r = recent(now, windowMs);
      return { total: r.length, failed: r.filter((s) => s.failed).length };
    },
    ewma(now, stream, staleMs) {
      const [v, at] = stream ? [ewma.stream, ewma.streamAt] : [ewma.json, ewma.jsonAt];
      return v !== undefined && now - at <= staleMs ? v : undefined;
    },
  };
}

/** The median of some numbers, or null for none. */
export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}
