import { describe, expect, test } from 'bun:test';
import { createKeyPool } from './keys.ts';

describe('key rotation', () => {
  test('round-robin over usable keys', () => {
    const pool = createKeyPool();
    const picks = Array.from({ length: 4 }, () => pool.pick('p', ['a', 'b', 'c'], 'm', 0));
    expect(picks.map((p) => (p.ok ? p.key : '-'))).toEqual(['a', 'b', 'c', 'a']);
  });

  test('a 429 rests one key for one model; the others keep serving', () => {
    const pool = createKeyPool();
    pool.rateLimited('p', 'a', 'm', 1_000);
    const keys = Array.from({ length: 3 }, () => pool.pick('p', ['a', 'b'], 'm', 10)).map((p) => (p.ok ? p.key : '-'));
    expect(keys).toEqual(['b', 'b', 'b']);
    expect(pool.pick('p', ['a', 'b'], 'other-model', 10)).toMatchObject({ ok: true, key: 'a' });
    expect(pool.pick('p', ['a', 'b'], 'm', 1_000)).toMatchObject({ ok: true });
  });

  test('a refused key rests for every model; with none left, the wait is the shortest rest', () => {
    const pool = createKeyPool();
    pool.refused('p', 'a', 5_000);
    pool.rateLimited('p', 'b', 'm', 2_000);
    expect(pool.pick('p', ['a', 'b'], 'm', 500)).toEqual({ ok: false, waitMs: 1_500, rateLimited: true });
    expect(pool.usable('p', ['a', 'b'], 500)).toBe(1);
  });

  test('a key resting after a refusal is not rate-limited: waiting would not help', () => {
    const pool = createKeyPool();
    pool.refused('p', 'a', 5_000);
    expect(pool.pick('p', ['a'], 'm', 500)).toEqual({ ok: false, waitMs: 4_500, rateLimited: false });
    pool.rateLimited('p', 'a', 'm', 9_000);
    expect(pool.pick('p', ['a'], 'm', 500)).toEqual({ ok: false, waitMs: 8_500, rateLimited: true });
  });

  test('a provider without keys still cools down after a 429', () => {
    const pool = createKeyPool();
    pool.rateLimited('p', '', 'm', 300);
    expect(pool.pick('p', [], 'm', 100)).toEqual({ ok: false, waitMs: 200, rateLimited: true });
  });
});
