import type { Clock, Timer } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Store } from './client.ts';

export interface Liveness {
  /** This instance's id: the `owner` of every budget lease it takes. */
  id: string;
  /** Registers the instance and starts beating and sweeping. */
  start(): Promise<void>;
  /**
   * False when this instance's last successful beat is older than half the liveness timeout:
   * peers may soon take it for dead, so its leases must admit nothing more (self-fencing).
   */
  fresh(): boolean;
  /** One beat and one sweep now (the timer calls this). */
  tick(): Promise<void>;
  /**
   * Stops beating. The row is removed when the budget gate gave its room back (`released`);
   * otherwise it stays, stops beating, and a peer releases the leases as it would a dead one's.
   */
  close(released: boolean): Promise<void>;
}

export interface LivenessOptions {
  /** Runs the beats and measures how long a peer's beat stood still (tests pass a fake). */
  clock: Clock;
  beatMs?: number;
  /** A peer whose beat has not moved for this long, by this instance's clock, is dead. */
  deadAfterMs?: number;
  /** Called when this instance finds its own row swept (it was paused past the timeout). */
  onLost?: () => void;
}

/**
 * Heartbeats for budget leases. Every instance bumps its row's `beat` counter every `beatMs`,
 * and watches the others' counters: one that stands still for `deadAfterMs` of this instance's
 * own time belongs to a dead instance, whose leases are released: their unspent room goes back
 * to the budget and nothing is booked (settled spend was booked as it settled). No two clocks
 * are compared, so a skewed clock cannot make a live instance look dead. With the defaults a
 * dead instance's room is back within 25 s; a live one's beat moves every 5 s and is never swept.
 */
export function instanceLiveness(store: Store, logger: Logger, { clock, beatMs = 5_000, deadAfterMs = 20_000, onLost }: LivenessOptions): Liveness {
  const id = 'gw_' + crypto.randomUUID();
  /** Each peer's beat as last seen, and when (by our clock) it was first seen at that value. */
  const seen = new Map<string, { beat: number; since: number }>();
  let timer: Timer | undefined;
  let stopped = false;
  let beatOk = clock.now();
  const register = () => store.client.execute({ sql: 'INSERT OR IGNORE INTO gateway_instances (id, beat, started_at) VALUES (?, 0, ?)', args: [id, clock.wall()] });

  async function beat() {
    const r = await store.client.execute({ sql: 'UPDATE gateway_instances SET beat = beat + 1 WHERE id = ?', args: [id] });
    if (r.rowsAffected === 0) {
      logger.warn('this instance was taken for dead (paused past the liveness timeout); its leases were released, it takes new ones');
      onLost?.();
      await register();
    }
    beatOk = clock.now();
  }

  async function sweep() {
    const now = clock.now();
    const rows = await store.client.execute({ sql: 'SELECT id, beat FROM gateway_instances WHERE id <> ?', args: [id] });
    const present = new Set<string>();
    for (const r of rows.rows) {
      const peer = String(r.id);
      const b = Number(r.beat);
      present.add(peer);
      const last = seen.get(peer);
      if (!last || last.beat !== b) {
        seen.set(peer, { beat: b, since: now });
        continue;
      }
      if (now - last.since < deadAfterMs) continue;
      const released = await releaseLeasesOf(store, peer, b, clock.wall());
      seen.delete(peer);
      logger.warn('released the budget leases of a dead instance', { instance: peer, leases: released, silent_ms: Math.round(now - last.since) });
    }
    for (const peer of seen.keys()) if (!present.has(peer)) seen.delete(peer);
  }

  async function tick() {
    try {
      await beat();
      await sweep();
    } catch (e) {
      logger.warn('lease heartbeat failed; it is retried', { error: String(e) });
    }
  }

  const schedule = () => {
    if (!stopped) timer = clock.setTimeout(() => void tick().finally(schedule), beatMs);
  };

  return {
    id,
    fresh: () => clock.now() - beatOk < deadAfterMs / 2,
    async start() {
      await register();
      schedule();
    },
    tick,
    async close(released) {
      stopped = true;
      timer?.cancel();
      if (released) await store.client.execute({ sql: 'DELETE FROM gateway_instances WHERE id = ?', args: [id] }).catch(() => undefined);
    },
  };
}

/** An open lease's budget counter, matched from inside an UPDATE of `spend`. */
const OPEN_OF = 'FROM reservations r WHERE r.owner = ? AND r.settled_at IS NULL AND r.scope = spend.scope AND r.scope_id = spend.scope_id AND r.period = spend.period AND r.period_start = spend.period_start';
const STILL_DEAD = 'EXISTS (SELECT 1 FROM gateway_instances WHERE id = ? AND beat = ?)';

/**
 * Gives a dead instance's unspent lease room back, in one transaction, only while its beat is
 * still the one seen standing still (a peer that came back is left alone). Idempotent: a second
 * sweeper finds no open lease. Spend and request counts are not touched.
 */
export async function releaseLeasesOf(store: Store, owner: string, beat: number, now: number): Promise<number> {
  const res = await store.client.batch(
    [
      { sql: `UPDATE spend SET reserved_micros = reserved_micros - (SELECT coalesce(sum(r.reserved_micros), 0) ${OPEN_OF}) WHERE ${STILL_DEAD} AND EXISTS (SELECT 1 ${OPEN_OF})`, args: [owner, owner, beat, owner] },
      { sql: `UPDATE reservations SET reserved_micros = 0, settled_at = ? WHERE owner = ? AND settled_at IS NULL AND ${STILL_DEAD}`, args: [now, owner, owner, beat] },
      { sql: 'DELETE FROM gateway_instances WHERE id = ? AND beat = ?', args: [owner, beat] },
    ],
    'write',
  );
  return res[1]!.rowsAffected;
}

/**
 * Leases from before leases had owners (taken by an older version) that are older than
 * `olderThanMs`: their unspent room is given back; nothing is booked.
 */
export async function releaseOwnerlessLeases(store: Store, olderThanMs: number, now: number): Promise<number> {
  const old = 'FROM reservations r WHERE r.owner IS NULL AND r.settled_at IS NULL AND r.created_at < ? AND r.scope = spend.scope AND r.scope_id = spend.scope_id AND r.period = spend.period AND r.period_start = spend.period_start';
  const cutoff = now - olderThanMs;
  const res = await store.client.batch(
    [
      { sql: `UPDATE spend SET reserved_micros = reserved_micros - (SELECT coalesce(sum(r.reserved_micros), 0) ${old}) WHERE EXISTS (SELECT 1 ${old})`, args: [cutoff, cutoff] },
      { sql: 'UPDATE reservations SET reserved_micros = 0, settled_at = ? WHERE owner IS NULL AND settled_at IS NULL AND created_at < ?', args: [now, cutoff] },
    ],
    'write',
  );
  return res[1]!.rowsAffected;
}
