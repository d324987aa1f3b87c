import type { Clock } from '../lib/clock.ts';

interface Flight<T> {
  done: Promise<T | undefined>;
  settle(value: T | undefined): void;
  settled: boolean;
  waiters: number;
}

/**
 * One call per key at a time within an instance: the first caller leads, later callers with the
 * same key wait for what it settles with (at most `waitMs`, or until their own signal aborts,
 * after which they are on their own). A flight settled with a value stays joinable until
 * `keepUntil` resolves (the answer's write to the database), so a caller arriving between the
 * answer and its row still gets it.
 */
export function singleFlight<T>(o: { clock: Pick<Clock, 'setTimeout'>; waitMs: () => number }) {
  const flights = new Map<string, Flight<T>>();
  let waiting = 0;
  return {
    /** Leads the flight for `key`, or undefined when one is already under way. The settle function is idempotent. */
    lead(key: string): ((value: T | undefined, keepUntil?: Promise<unknown>) => void) | undefined {
      if (flights.has(key)) return undefined;
      let resolve!: (v: T | undefined) => void;
      const f: Flight<T> = { done: new Promise((r) => (resolve = r)), settled: false, waiters: 0, settle: (v) => resolve(v) };
      flights.set(key, f);
      return (value, keepUntil) => {
        if (f.settled) return;
        f.settled = true;
        f.settle(value);
        const end = () => flights.get(key) === f && flights.delete(key);
        if (value === undefined || !keepUntil) end();
        else void keepUntil.finally(end);
      };
    },
    /**
     * What the flight for `key` settles with, or undefined (synchronously) when none is under way,
     * so a caller can lead at once without another caller slipping in. The wait ends with
     * undefined when the bound passes or `signal` aborts.
     */
    join(key: string, signal?: AbortSignal): Promise<T | undefined> | undefined {
      const f = flights.get(key);
      if (!f) return undefined;
      if (signal?.aborted) return Promise.resolve(undefined);
      let timer: { cancel(): void } | undefined;
      const onAbort = () => stop(undefined);
      let stop!: (v: undefined) => void;
      const givenUp = new Promise<undefined>((r) => {
        stop = r;
        timer = o.clock.setTimeout(() => r(undefined), o.waitMs());
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      waiting++;
      f.waiters++;
      return Promise.race([f.done, givenUp]).finally(() => {
        waiting--;
        f.waiters--;
        timer?.cancel();
        signal?.removeEventListener('abort', onAbort);
      });
    },
    /** Forgets settled flights (a purge: their answers must not be handed out any more). */
    dropSettled(): void {
      for (const [k, f] of flights) if (f.settled) flights.delete(k);
    },
    /** Flights under way or joinable. */
    size: () => flights.size,
    /** Callers waiting for the flight of `key` now. */
    waiters: (key: string) => flights.get(key)?.waiters ?? 0,
    /** Callers waiting for a flight now. */
    waiting: () => waiting,
  };
}

export type SingleFlight<T> = ReturnType<typeof singleFlight<T>>;
