import type { RoutingConfig } from '../config/schema.ts';

export type BreakerSettings = RoutingConfig['breaker'];
export type BreakerState = 'closed' | 'open' | 'half_open';

/** May a request go to the deployment now? A half-open pass is a probe and must be settled. */
export type Admission = { ok: true; probe: boolean } | { ok: false; retryInMs: number };

export interface Breaker {
  admit(now: number, s: BreakerSettings): Admission;
  /** The deployment answered (2xx, or a 4xx that proves it alive). */
  success(now: number, s: BreakerSettings, probe: boolean): void;
  /** A server-side failure: 5xx, 529, network, timeout, a broken response or stream. */
  failure(now: number, s: BreakerSettings, probe: boolean): void;
  /** A probe ended with no verdict (client left, key trouble): free its slot. */
  release(probe: boolean): void;
  state(now: number): BreakerState;
  /** Times ejected since the deployment was last healthy for a while. */
  ejections(): number;
}

/**
 * A circuit breaker for one deployment. After `failures` consecutive failures it ejects the
 * deployment for `ejection_ms · 2^(k-1)` (k = ejections in a row, capped at `max_ejection_ms`).
 * Then it is half-open: up to `half_open_probes` real requests go through at a time; a success
 * closes it, a failure ejects it again for longer. The ejection count is forgotten once the
 * deployment has stayed closed for twice the longest ejection.
 */
export function createBreaker(onOpen?: (ejections: number) => void): Breaker {
  let open = false;
  let consecutive = 0;
  let ejected = 0;
  let openUntil = 0;
  let closedAt = 0;
  let probes = 0;

  const eject = (now: number, s: BreakerSettings) => {
    ejected++;
    open = true;
    consecutive = 0;
    openUntil = now + Math.min(s.max_ejection_ms, s.ejection_ms * 2 ** Math.min(ejected - 1, 30));
    onOpen?.(ejected);
  };

  return {
    admit(now, s) {
      if (!open) return { ok: true, probe: false };
      if (now < openUntil) return { ok: false, retryInMs: openUntil - now };
      if (probes >= s.half_open_probes) return { ok: false, retryInMs: 0 };
      probes++;
      return { ok: true, probe: true };
    },
    success(now, s, probe) {
      if (probe) probes = Math.max(0, probes - 1);
      if (probe && open) {
        open = false;
        closedAt = now;
      }
      if (open) return; // a request admitted before the ejection says nothing about now
      consecutive = 0;
      if (ejected && now - closedAt > 2 * s.max_ejection_ms) ejected = 0;
    },
    failure(now, s, probe) {
      if (probe) {
        probes = Math.max(0, probes - 1);
        eject(now, s);
        return;
      }
      if (open) return;
      if (++consecutive >= s.failures) eject(now, s);
    },
    release(probe) {
      if (probe) probes = Math.max(0, probes - 1);
    },
    state(now) {
      if (!open) return 'closed';
      return now < openUntil ? 'open' : 'half_open';
    },
    ejections: () => ejected,
  };
}
