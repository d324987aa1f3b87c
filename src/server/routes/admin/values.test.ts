import { describe, expect, test } from 'bun:test';
import { InvalidValue, parseBudget, parseDuration, parseInstant, usdToMicros } from './values.ts';

describe('budgets', () => {
  test('strings and numbers become exact micro-dollars', () => {
    expect(parseBudget('50/month')).toEqual({ micros: 50_000_000, period: 'month' });
    expect(parseBudget('$12.5 / day')).toEqual({ micros: 12_500_000, period: 'day' });
    expect(parseBudget('0.000001/week')).toEqual({ micros: 1, period: 'week' });
    expect(usdToMicros(0.1)).toBe(100_000);
    expect(usdToMicros(19.99)).toBe(19_990_000);
  });

  test('anything else is refused, never rounded', () => {
    for (const bad of ['50/mnth', '50', '/month', '-5/month', '1.0000001/day', 'ten/day', '50/month/day']) {
      expect(() => parseBudget(bad)).toThrow(InvalidValue);
    }
    expect(() => usdToMicros(1e-7)).toThrow(InvalidValue);
    expect(() => usdToMicros(1e21)).toThrow(InvalidValue);
  });
});

describe('durations and instants', () => {
  test('units s, m, h, d, w', () => {
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('12h')).toBe(43_200_000);
    expect(parseDuration('30d')).toBe(2_592_000_000);
    expect(parseDuration('2w')).toBe(1_209_600_000);
    for (const bad of ['30', 'd', '1.5h', '3x', '-1d', '']) expect(() => parseDuration(bad)).toThrow(InvalidValue);
  });

  test('a duration counts from now; an ISO date is absolute', () => {
    const now = Date.UTC(2026, 0, 15);
    expect(parseInstant('1d', 'ahead', now)).toBe(now + 86_400_000);
    expect(parseInstant('1d', 'ago', now)).toBe(now - 86_400_000);
    expect(parseInstant('2026-02-01', 'ahead', now)).toBe(Date.UTC(2026, 1, 1));
    expect(parseInstant('2026-02-01T12:00:00Z', 'ago', now)).toBe(Date.UTC(2026, 1, 1, 12));
    expect(() => parseInstant('2026-13-45', 'ago', now)).toThrow(InvalidValue);
    expect(() => parseInstant('next week', 'ago', now)).toThrow(InvalidValue);
  });
});
