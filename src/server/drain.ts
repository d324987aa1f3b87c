import { realClock, type Clock, type Timer } from '../lib/clock.ts';

/**
 * In-flight work and the shutdown drain. Every request holds the drain while its handler runs
 * and a stream holds it until it ends; on SIGTERM the gateway stops taking new work and waits
 * for the holds to reach zero, up to the drain timeout, then cuts what is left.
 */
export interface Drain {
  /** True once shutdown has begun. */
  draining(): boolean;
  /** Holds the drain until the returned function is called (idempotent). */
  hold(): () => void;
  inflight(): number;
  /** Aborts when the drain time is up: streams still running end with an error event. */
  readonly signal: AbortSignal;
  /** Starts draining; resolves once nothing is held, or after `timeoutMs` with what was left. */
  drain(timeoutMs: number): Promise<{ cut: number }>;
}

export function createDrain(clock: Clock = realClock): Drain {
  let held = 0;
  let draining = false;
  let idle: (() => void) | undefined;
  const cut = new AbortController();
  return {
    draining: () => draining,
    inflight: () => held,
    signal: cut.signal,
    hold() {
      held++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held--;
        if (held === 0) idle?.();
      };
    },
    async drain(timeoutMs) {
      draining = true;
      if (held === 0) return { cut: 0 };
      const emptied = new Promise<void>((r) => (idle = r));
      let timer: Timer | undefined;
      const timedOut = new Promise<'timeout'>((r) => (timer = clock.setTimeout(() => r('timeout'), timeoutMs)));
      const result = await Promise.race([emptied, timedOut]);
      timer?.cancel();
      if (result !== 'timeout') return { cut: 0 };
      const left = held;
      cut.abort();
      return { cut: left };
    },
  };
}
