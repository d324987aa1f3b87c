import { describe, expect, test } from 'bun:test';
import { canonicalNumber, decodeOpaValue, decodeResultSet, encodeExactJson, ExactNumber } from './opa-value.ts';

describe('decodeOpaValue', () => {
  test('sets become arrays in OPA order: by type, then value', () => {
    expect(decodeOpaValue('{"b", 3, null, "a", [1], {"k": 1}, true, {2}, false, 1.5}')).toEqual([null, false, true, 1.5, 3, 'a', 'b', [1], { k: 1 }, [2]]);
    expect(decodeOpaValue('[set(), {"x": {3, 1, 2}}]')).toEqual([[], { x: [1, 2, 3] }]);
  });

  test('strings sort by code point, as Go compares UTF-8 bytes (not by UTF-16 unit)', () => {
    // U+1F600 is after U+FF5E in code points, before it in UTF-16 units (0xD83D < 0xFF5E).
    expect(decodeOpaValue('{"\u{1F600}", "\uFF5E", "a"}')).toEqual(['a', '\uFF5E', '\u{1F600}']);
  });

  test('Rego number forms decode (.5 crashed JSON.parse)', () => {
    expect(decodeOpaValue('{"x": .5, "y": [5., +1, 007, -0.25e1]}')).toEqual({ x: 0.5, y: [5, 1, 7, -2.5] });
    expect(canonicalNumber('.5')).toBe('0.5');
    expect(canonicalNumber('-007.10e3')).toBe('-7.10e3');
  });

  test('an integer beyond 2^53 is refused with an error naming it, or kept digit for digit', () => {
    expect(() => decodeOpaValue('[{"result": 123456789123456789123}]')).toThrow('the integer 123456789123456789123, which JavaScript cannot represent exactly');
    const kept = decodeOpaValue('[{"result": 123456789123456789123}]', 'keep');
    expect(kept).toEqual([{ result: new ExactNumber('123456789123456789123') }]);
    expect(encodeExactJson(kept)).toBe('[{"result":123456789123456789123}]');
    expect(decodeOpaValue('[9007199254740991, "12345678901234567890"]')).toEqual([9007199254740991, '12345678901234567890']);
  });

  test('non-string object keys are their compact JSON text, as OPA writes them', () => {
    expect(decodeOpaValue('{1: "a", [1, "b"]: "c", {"k": 2}: 3}')).toEqual({ '1': 'a', '[1,"b"]': 'c', '{"k":2}': 3 });
  });

  test('a result set (a set of result objects) decodes to an array, by the fast path or not', () => {
    expect(decodeResultSet('set()')).toEqual([]);
    expect(decodeResultSet('{{"result": {"allowed": true, "tags": ["a"]}}}')).toEqual([{ result: { allowed: true, tags: ['a'] } }]);
    expect(decodeResultSet('{{"result": {"s": {"b", "a"}}}}')).toEqual([{ result: { s: ['a', 'b'] } }]);
    expect(decodeResultSet('{{"x": 2}, {"x": 1}}')).toEqual([{ x: 1 }, { x: 2 }]);
    expect(() => decodeResultSet('{{"result": 12345678901234567890}}')).toThrow('12345678901234567890');
  });

  test('malformed text is an error, not a guess', () => {
    expect(() => decodeOpaValue('{"a": 1')).toThrow('cannot decode');
    expect(() => decodeOpaValue('[1] x')).toThrow('trailing');
  });
});
