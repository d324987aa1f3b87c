import type { Clock, Timer } from '../lib/clock.ts';
import { GatewayError } from '../lib/errors.ts';

export interface WatchdogOptions {
  provider: string;
  ttfbMs: number;
  idleMs: number;
  /** Absolute deadline on the router's clock (the request's total, or the provider's cap). */
  deadline: number;
  clock: Clock;
}

/**
 * The timers of one attempt: time to first byte, then idle time between body chunks, all
 * under a deadline. When one fires, `onFire` aborts the upstream (closing its socket) and
 * every `race` rejects at once, so a caller never waits on a fetch that ignores its abort.
 */
export interface Watchdog {
  /** Starts the first-byte timer. */
  start(): void;
  /** A body chunk arrived: from now on the idle timer runs. */
  touch(): void;
  race<T>(p: Promise<T>): Promise<T>;
  /** Fails the attempt now with this error (e.g. no TCP connection in time). */
  fire(err: GatewayError): void;
  fired(): GatewayError | undefined;
  /** Milliseconds from start to the first body byte, once it came. */
  firstByteMs(): number | undefined;
  stop(): void;
}

export function createWatchdog(o: WatchdogOptions, onFire: (err: GatewayError) => void): Watchdog {
  let timer: Timer | undefined;
  let error: GatewayError | undefined;
  let started = 0;
  let firstByte: number | undefined;
  let reject!: (e: GatewayError) => void;
  const failed = new Promise<never>((_, r) => (reject = r));
  failed.catch(() => {});

  const fire = (err: GatewayError) => {
    if (error) return;
    error = err;
    timer?.cancel();
    onFire(err);
    reject(err);
  };
  const arm = (ms: number, what: string) => {
    timer?.cancel();
    const left = o.deadline - o.clock.now();
    const total = left <= ms;
    const message = total ? `${o.provider} did not finish within the request's time limit` : `${o.provider} sent ${what} within ${ms} ms`;
    timer = o.clock.setTimeout(() => fire(new GatewayError('upstream_timeout', message)), Math.max(0, total ? left : ms));
  };

  return {
    start() {
      started = o.clock.now();
      arm(o.ttfbMs, 'no first byte');
    },
    touch() {
      if (error) return;
      firstByte ??= Math.round(o.clock.now() - started);
      arm(o.idleMs, 'nothing');
    },
    race: (p) => (error ? Promise.reject(error) : Promise.race([p, failed])),
    fire,
    fired: () => error,
    firstByteMs: () => firstByte,
    stop: () => timer?.cancel(),
  };
}

/**
 * The response body, passed through chunk by chunk (nothing read ahead) with each chunk
 * resetting the watchdog. When the watchdog fires, the body errors with its timeout and the
 * reader is cancelled.
 */
export function watchBody(body: ReadableStream<Uint8Array>, dog: Watchdog): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = await dog.race(reader.read());
          if (r.done) return controller.close();
          dog.touch();
          controller.enqueue(r.value);
        } catch (e) {
          reader.cancel().catch(() => {});
          controller.error(e);
        }
      },
      cancel(reason) {
        return reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
