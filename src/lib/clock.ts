/** A pending timer from a Clock; `cancel` is idempotent. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as the gateway sees it: every timeout, backoff, breaker and drain timer goes through
 * one of these, passed in deps, so tests can run fault scenarios in simulated time
 * (see test/support/fake-clock.ts). Production uses `realClock`.
 */
export interface Clock {
  /** Monotonic milliseconds, for durations and deadlines. */
  now(): number;
  /** Wall-clock epoch milliseconds, for HTTP dates. */
  wall(): number;
  /** Calls `fn` once, `ms` from now. */
  setTimeout(fn: () => void, ms: number): Timer;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** `sleep` on top of a clock's timers, shared by the real and the fake clock. */
export function sleepOn(clock: Pick<Clock, 'setTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      timer.cancel();
      reject(signal!.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const realClock: Clock = {
  now: () => performance.now(),
  wall: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
  sleep: (ms, signal) => sleepOn(realClock, ms, signal),
};
