import { describe, expect, test } from 'bun:test';
import { createFakeClock } from './fake-clock.ts';

describe('fake clock', () => {
  test('advance fires due timers in order, at their time, and no others', async () => {
    const clock = createFakeClock({ start: 1_000, wall: 5_000 });
    const seen: [string, number][] = [];
    clock.setTimeout(() => seen.push(['b', clock.now()]), 200);
    clock.setTimeout(() => seen.push(['a', clock.now()]), 100);
    const late = clock.setTimeout(() => seen.push(['c', clock.now()]), 300);
    await clock.advance(250);
    expect(seen).toEqual([['a', 1_100], ['b', 1_200]]);
    expect(clock.now()).toBe(1_250);
    expect(clock.wall()).toBe(5_250);
    late.cancel();
    await clock.advance(1_000);
    expect(seen).toHaveLength(2);
    expect(clock.pending()).toBe(0);
  });

  test('timers set by a firing timer fire within the same advance', async () => {
    const clock = createFakeClock();
    let ticks = 0;
    const tick = () => {
      ticks++;
      clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    await clock.advance(55);
    expect(ticks).toBe(5);
  });

  test('sleep resolves on the clock and rejects when its signal aborts', async () => {
    const clock = createFakeClock();
    let woke = false;
    const p = clock.sleep(1_000).then(() => (woke = true));
    await clock.advance(999);
    expect(woke).toBe(false);
    await clock.advance(1);
    await p;
    expect(woke).toBe(true);
    const ac = new AbortController();
    const aborted = clock.sleep(1_000, ac.signal);
    ac.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    expect(clock.pending()).toBe(0);
  });

  test('auto mode jumps to each timer while only timers are waiting', async () => {
    const clock = createFakeClock({ auto: true });
    const realStart = performance.now();
    await clock.sleep(60_000);
    await clock.track(clock.sleep(20_000));
    expect(clock.now()).toBe(80_000);
    expect(performance.now() - realStart).toBeLessThan(1_000);
  });

  test('auto mode holds time still while tracked work is active', async () => {
    const clock = createFakeClock({ auto: true, settleMs: 20 });
    let fired = false;
    clock.setTimeout(() => (fired = true), 5_000);
    const work = (async () => {
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 5));
        clock.touch();
      }
    })();
    await clock.track(work);
    expect(fired).toBe(false);
    await clock.sleep(5_000);
    expect(fired).toBe(true);
    clock.stop();
  });
});
