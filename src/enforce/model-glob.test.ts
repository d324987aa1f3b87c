import { expect, test } from 'bun:test';
import { modelAllowed } from './model-glob.ts';

const viaRegex = (pattern: string, name: string) =>
  new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$').test(name);

test('globs match as the regex they replace did, on 20,000 random patterns and names', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  for (let i = 0; i < 20_000; i++) {
    const pattern = pick('ab-*.', 1 + Math.floor(random() * 7));
    const name = pick('ab-.', Math.floor(random() * 10));
    expect([pattern, name, modelAllowed([pattern], name, name)]).toEqual([pattern, name, viaRegex(pattern, name)]);
  }
});

test('a many-star pattern against a 1 MB client model name answers at once', () => {
  const name = '-'.repeat(1_000_000) + 'x';
  const t = performance.now();
  expect(modelAllowed(['*-*-*-*-*-y'], name, 'canonical')).toBe(false);
  expect(performance.now() - t).toBeLessThan(200);
});
