/**
 * The batching loop under the usage writer and the decision log: items queue in memory and are
 * written off the request path, every `intervalMs` or sooner once `maxBatch` wait (one early
 * flush at a time, so a slow database does not pile flushes up). Flushes and any other work run
 * through `exclusive` never interleave.
 */
export interface Batcher<T> {
  /** Queues an item; kicks an early flush once `maxBatch` wait. */
  push(item: T): void;
  /** Puts items a write could not land back at the front of the queue. */
  requeue(items: T[]): void;
  /** Writes what is queued now (then runs `after`), one flush at a time. */
  flush(): Promise<void>;
  /** Runs `work` when no flush (or other exclusive work) is running. */
  exclusive<R>(work: () => Promise<R>): Promise<R>;
  /** Queued items, plus those of a batch being written. */
  pending(): number;
  /** Queued items only. */
  queued(): number;
  /** Items still queued (for the caller's last word on them). */
  left(): readonly T[];
  /** Stops the timer; `flush` still works. */
  stop(): void;
}

export interface BatcherOptions<T> {
  intervalMs: number;
  maxBatch: number;
  /** Writes one batch; puts back (requeue) what it could not land. */
  write(batch: T[]): Promise<void>;
  /** Runs inside the same flush after the write; `wrote` says whether there was a batch. */
  after?(wrote: boolean): Promise<void>;
}

export function batcher<T>({ intervalMs, maxBatch, write, after }: BatcherOptions<T>): Batcher<T> {
  let queue: T[] = [];
  let running: Promise<unknown> | undefined;
  let writing = 0;
  let kicked = false;

  function exclusive<R>(work: () => Promise<R>): Promise<R> {
    const run = (running ?? Promise.resolve()).then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    running = settled;
    void settled.then(() => {
      if (running === settled) running = undefined;
    });
    return run;
  }

  function flush(): Promise<void> {
    return exclusive(async () => {
      let wrote = false;
      if (queue.length) {
        const batch = queue;
        queue = [];
        writing = batch.length;
        try {
          await write(batch);
        } finally {
          writing = 0;
        }
        wrote = true;
      }
      await after?.(wrote);
    });
  }

  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref?.();

  return {
    push(item) {
      queue.push(item);
      if (queue.length >= maxBatch && !kicked) {
        kicked = true;
        void flush().finally(() => (kicked = false));
      }
    },
    requeue(items) {
      queue = items.concat(queue);
    },
    flush,
    exclusive,
    pending: () => queue.length + writing,
    queued: () => queue.length,
    left: () => queue,
    stop: () => clearInterval(timer),
  };
}
