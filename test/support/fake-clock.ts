import { sleepOn, type Clock, type Timer } from '../../src/lib/clock.ts';

/**
 * A clock for tests whose time moves only when told. Two ways to move it:
 *
 * - `advance(ms)`: time moves on by `ms`, firing the timers that fall due, in order.
 * - auto mode (`auto: true`): time jumps to the next timer whenever the process is quiet, so
 *   a 60 s scenario runs in milliseconds against real sockets. "Quiet" means no clock call and
 *   no `touch()` for a turn of the event loop, or for `settleMs` of real time while a `track`ed
 *   promise (a client request whose real I/O may be in flight) is pending. With `batchMs`, timers
 *   due within it of the first fire in the same jump (late, never early), with only a few turns
 *   of the event loop between them: faster, but unsafe when real I/O must drain between timers.
 */
export interface FakeClock extends Clock {
  advance(ms: number): Promise<void>;
  /** While `p` is pending, auto mode waits `settleMs` of real quiet before each jump. */
  track<T>(p: Promise<T>): Promise<T>;
  /** Something happened (a socket event): postpones the next automatic jump. */
  touch(): void;
  /** Timers not yet fired or cancelled. */
  pending(): number;
  /** Ends auto mode; pending timers stay pending. */
  stop(): void;
}

export interface FakeClockOptions {
  /** Monotonic time at the start (default 0). */
  start?: number;
  /** Wall time at the start (default: the real Date.now()). */
  wall?: number;
  auto?: boolean;
  settleMs?: number;
  batchMs?: number;
}

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
}

// The driver waits on real time; keep the host's timers even if a test replaces the globals.
const realSetTimeout = globalThis.setTimeout;
const realSetImmediate = globalThis.setImmediate;
const turn = () => new Promise<void>((r) => realSetImmediate(r));
const realWait = (ms: number) => new Promise<void>((r) => realSetTimeout(r, ms));

export function createFakeClock(o: FakeClockOptions = {}): FakeClock {
  const origin = o.start ?? 0;
  const wallOrigin = o.wall ?? Date.now();
  // Long enough that a request busy on a loaded 2-core machine is not overtaken by a jump.
  const settleMs = o.settleMs ?? 100;
  const batchMs = o.batchMs ?? 0;
  let t = origin;
  let seq = 0;
  let activity = 0;
  let busy = 0;
  let auto = o.auto === true;
  let driving = false;
  const timers = new Set<Entry>();

  const earliest = (): Entry | undefined => {
    let e: Entry | undefined;
    for (const x of timers) if (!e || x.at < e.at || (x.at === e.at && x.seq < e.seq)) e = x;
    return e;
  };
  /** Lets callbacks and I/O run until two turns of the event loop pass with no activity (at most 20). */
  const settleTurns = async () => {
    for (let i = 0, calm = 0, mark = activity; i < 20 && calm < 2; i++, mark = activity) {
      await turn();
      calm = activity === mark ? calm + 1 : 0;
    }
  };
  /** Fires, in order, every timer due by `until`, letting each callback's work run before the next. */
  const fireUntil = async (until: number) => {
    for (let e = earliest(); e && e.at <= until; e = earliest()) {
      timers.delete(e);
      t = Math.max(t, e.at);
      e.fn();
      await settleTurns();
    }
  };
  let wake: (() => void) | undefined;
  const quiet = async (): Promise<boolean> => {
    const mark = activity;
    await turn();
    await turn();
    // Real I/O may be in flight: wait for real quiet, but wake as soon as the tracked work ends.
    if (busy > 0 && activity === mark) await Promise.race([realWait(settleMs), new Promise<void>((r) => (wake = r))]);
    wake = undefined;
    await turn();
    return activity === mark;
  };
  const drive = async () => {
    if (driving) return;
    driving = true;
    try {
      while (auto && timers.size) {
        if (!(await quiet())) continue;
        const first = earliest();
        if (first) await fireUntil(first.at + batchMs);
      }
    } finally {
      driving = false;
    }
  };

  const clock: FakeClock = {
    now: () => (activity++, t),
    wall: () => wallOrigin + (t - origin),
    setTimeout(fn, ms) {
      activity++;
      const e: Entry = { at: t + Math.max(0, ms), seq: seq++, fn };
      timers.add(e);
      if (auto) queueMicrotask(() => void drive());
      const timer: Timer = { cancel: () => void (timers.delete(e) && activity++) };
      return timer;
    },
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
    async advance(ms) {
      const until = t + ms;
      await fireUntil(until);
      t = Math.max(t, until);
    },
    track(p) {
      busy++;
      activity++;
      const done = () => {
        busy--;
        activity++;
        if (busy === 0) wake?.();
      };
      p.then(done, done);
      return p;
    },
    touch: () => void activity++,
    pending: () => timers.size,
    stop: () => void (auto = false),
  };
  return clock;
}
