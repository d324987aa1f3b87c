import { describe, expect, test } from 'bun:test';
import { createBreaker } from './breaker.ts';

const s = { failures: 3, ejection_ms: 1_000, max_ejection_ms: 4_000, half_open_probes: 1 };

describe('circuit breaker', () => {
  test('ejects after N consecutive failures; a success in between resets the count', () => {
    const b = createBreaker();
    b.failure(0, s, false);
    b.failure(1, s, false);
    b.success(2, s, false);
    b.failure(3, s, false);
    b.failure(4, s, false);
    expect(b.state(5)).toBe('closed');
    b.failure(5, s, false);
    expect(b.state(6)).toBe('open');
    expect(b.admit(6, s)).toEqual({ ok: false, retryInMs: 999 });
  });

  test('half-open lets a bounded number of probes through; a probe success closes it', () => {
    const b = createBreaker();
    for (let i = 0; i < 3; i++) b.failure(0, s, false);
    expect(b.state(1_000)).toBe('half_open');
    expect(b.admit(1_000, s)).toEqual({ ok: true, probe: true });
    expect(b.admit(1_001, s)).toEqual({ ok: false, retryInMs: 0 });
    b.success(1_100, s, true);
    expect(b.state(1_100)).toBe('closed');
    expect(b.admit(1_101, s)).toEqual({ ok: true, probe: false });
  });

  test('each ejection in a row lasts twice as long, up to the cap', () => {
    const b = createBreaker();
    for (let i = 0; i < 3; i++) b.failure(0, s, false);
    const lengths: number[] = [];
    let t = 0;
    for (let k = 0; k < 4; k++) {
      const wait = (b.admit(t, s) as { retryInMs: number }).retryInMs;
      lengths.push(wait);
      t += wait;
      expect(b.admit(t, s)).toEqual({ ok: true, probe: true });
      b.failure(t, s, true);
    }
    expect(lengths).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect(b.ejections()).toBe(5);
  });

  test('a probe that ends without a verdict frees its slot', () => {
    const b = createBreaker();
    for (let i = 0; i < 3; i++) b.failure(0, s, false);
    expect(b.admit(1_000, s)).toMatchObject({ ok: true, probe: true });
    b.release(true);
    expect(b.admit(1_001, s)).toMatchObject({ ok: true, probe: true });
  });

  test('the ejection count is forgotten after a long healthy spell', () => {
    const b = createBreaker();
    for (let i = 0; i < 3; i++) b.failure(0, s, false);
    b.admit(1_000, s);
    b.success(1_000, s, true);
    b.success(1_000 + 8_001, s, false);
    expect(b.ejections()).toBe(0);
  });
});
