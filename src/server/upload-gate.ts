import { GatewayError } from '../lib/errors.ts';

export interface UploadLimits {
  /** Bodies being read at once; one more is refused with a 503 at once. */
  maxUploads: number;
  /** Body bytes held at once across requests (read, parsed, sent upstream); beyond it a request queues. */
  maxBytes: number;
  /** How long a request may queue for bytes before it is refused with a 503. */
  queueMs: number;
}

/** A request's hold on the gate: `read()` when its body is in, `release()` when its handler is done. */
export interface UploadTicket {
  read(): void;
  release(): void;
}

export interface UploadGate {
  /** Waits (FIFO) for room for a body of `bytes`, or throws a 503 with Retry-After. */
  acquire(bytes: number, limits: UploadLimits): Promise<UploadTicket>;
  stats(): { uploads: number; bytes: number; queued: number };
}

const SMALL = 1 << 20;

const busy = (what: string) => new GatewayError('unavailable', `The gateway is receiving too many ${what} at once; retry shortly.`, { code: 'uploads_busy', headers: { 'retry-after': '1', connection: 'close' } });

/**
 * Bounds what request bodies can cost: sockets (concurrent uploads) and memory (bytes held from
 * the first read until the handler ends, which covers the parsed copy and the upstream body too).
 * One body larger than `maxBytes` still goes through when nothing else is held; bodies up to
 * 1 MiB are counted but never wait.
 */
export function uploadGate(): UploadGate {
  let uploads = 0;
  let bytes = 0;
  const queue: { need: number; go: () => void }[] = [];

  const fits = (need: number, max: number) => bytes === 0 || bytes + need <= max;
  const wake = (max: number) => {
    while (queue.length && fits(queue[0]!.need, max)) {
      const next = queue.shift()!;
      bytes += next.need;
      next.go();
    }
  };

  return {
    async acquire(need, limits) {
      if (uploads >= limits.maxUploads) throw busy('request bodies');
      uploads++;
      let reading = true;
      const read = () => {
        if (reading) uploads--;
        reading = false;
      };
      // Small bodies never queue behind large ones: a few clients trickling large bodies
      // can hold up other large bodies, not the ordinary traffic.
      if (need <= SMALL || (!queue.length && fits(need, limits.maxBytes))) bytes += need;
      else {
        const granted = await new Promise<boolean>((resolve) => {
          const entry = { need, go: () => (clearTimeout(timer), resolve(true)) };
          const timer = setTimeout(() => {
            queue.splice(queue.indexOf(entry), 1);
            resolve(false);
          }, limits.queueMs);
          queue.push(entry);
        });
        if (!granted) {
          read();
          throw busy('large request bodies');
        }
      }
      let held = true;
      return {
        read,
        release() {
          read();
          if (!held) return;
          held = false;
          bytes -= need;
          // Under pressure, what the finished request held is collected before the next large one
          // starts, rather than when the collector gets round to it (peaks of 2-3x otherwise).
          if (need >= 1 << 20 && queue.length) Bun.gc(true);
          wake(limits.maxBytes);
        },
      };
    },
    stats: () => ({ uploads, bytes, queued: queue.length }),
  };
}
