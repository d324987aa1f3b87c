import { describe, expect, test } from 'bun:test';
import { inexactNumbers } from './inexact-numbers.ts';

describe('inexactNumbers', () => {
  test('finds integers beyond 2^53 that a double changes, with their line', () => {
    const text = '{\n  "a": 1,\n  "big": 123456789123456789123,\n  "ok": 9007199254740992\n}';
    expect(inexactNumbers(text)).toEqual([{ text: '123456789123456789123', line: 3, parsed: '123456789123456800000' }]);
  });

  test('exact numbers pass: small, 2^53, powers of two, decimals a double prints back, exponents', () => {
    expect(inexactNumbers('[0, -1, 1.5, 0.1, 1e300, 1.25e-7, 9007199254740993e0, 18014398509481984, 12345678901234.5]')).toEqual([
      { text: '9007199254740993e0', line: 1, parsed: '9007199254740992' },
    ]);
  });

  test('decimals with more digits than a double holds are found; digits inside strings are not', () => {
    expect(inexactNumbers('{"s": "123456789123456789123", "d": 0.12345678901234567891}').map((n) => n.text)).toEqual(['0.12345678901234567891']);
  });
});
