import { describe, expect, test } from 'bun:test';
import { backoffMs } from './backoff.ts';
import { retryAfterMs } from './retry-after.ts';

describe('Retry-After', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  test('delay-seconds, fractional seconds and retry-after-ms', () => {
    expect(retryAfterMs(h({ 'retry-after': '2' }))).toBe(2_000);
    expect(retryAfterMs(h({ 'retry-after': '0.5' }))).toBe(500);
    expect(retryAfterMs(h({ 'retry-after-ms': '1234', 'retry-after': '9' }))).toBe(1_234);
  });
  test('an HTTP-date, measured from now; a past date is 0', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(retryAfterMs(h({ 'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(h({ 'retry-after': 'Wed, 21 Oct 2015 07:27:00 GMT' }), now)).toBe(0);
  });
  test('absent or unreadable is undefined', () => {
    expect(retryAfterMs(h({}))).toBeUndefined();
    expect(retryAfterMs(h({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(h({ 'retry-after': '-3' }))).toBeUndefined();
  });
});

describe('full-jitter backoff', () => {
  test('draws in [0, min(max, base·2^n)]', () => {
    expect(backoffMs(0, 250, 8_000, () => 0.999)).toBe(249);
    expect(backoffMs(3, 250, 8_000, () => 0.5)).toBe(1_000);
    expect(backoffMs(10, 250, 8_000, () => 0.999)).toBe(7_992);
    expect(backoffMs(2, 250, 8_000, () => 0)).toBe(0);
  });
});
