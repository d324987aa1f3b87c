/**
 * A stand-in database thread for test/store/migration-progress.test.ts: it answers `open` and
 * `setup` at once and spends `SLOW_MS` on `migrateSchema`, sending a progress note every
 * `EVERY_MS` (as local-worker.ts does after each migration), or none when `EVERY_MS` is 0.
 */
import { fromWire, PROGRESS_ID, toWire, type Answer, type Envelope } from '../../src/store/local-wire.ts';

declare const self: { onmessage: ((ev: MessageEvent) => void) | null; postMessage(m: unknown): void };
const slowMs = Number(process.env.SLOW_MS ?? 600);
const everyMs = Number(process.env.EVERY_MS ?? 100);

self.onmessage = async (ev) => {
  const m = fromWire<Envelope>(ev.data);
  if (m.op === 'migrateSchema') {
    for (let t = 0; t < slowMs; t += everyMs || slowMs) {
      await Bun.sleep(everyMs || slowMs);
      if (everyMs) self.postMessage(toWire({ id: PROGRESS_ID, skipped: true } satisfies Answer));
    }
    return self.postMessage(toWire({ id: m.id, ok: true, value: ['0000_slow'] } satisfies Answer));
  }
  self.postMessage(toWire({ id: m.id, ok: true, value: undefined } satisfies Answer));
};
