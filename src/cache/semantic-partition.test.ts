import { expect, test } from 'bun:test';
import { prng } from '../../test/support/prng.ts';
import { embeddingSimilarity, partitioned, storedSimilarity, TAG_DIMS } from './semantic-partition.ts';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((n, x, i) => n + x * b[i]!, 0);
const random = prng(3);
const vector = (n: number) => Float32Array.from({ length: n }, () => random() - 0.5);
const unit = (v: Float32Array) => Float32Array.from(v, (x) => x / Math.hypot(...v));

test("another bucket's vectors, however near the question, rank below this bucket's candidates for a hit", () => {
  for (let n = 0; n < 200; n++) {
    const q = unit(vector(32));
    // This tenant's stored question at cosine ~0.95-0.99 to q; another tenant's at cosine 1.
    const mine = unit(Float32Array.from(q, (x) => x + (random() - 0.5) * 0.05));
    expect(dot(q, mine)).toBeGreaterThan(0.95);
    const a = JSON.stringify(['team:a', 'ctx', 'emb']);
    const b = JSON.stringify([`team:b${n}`, 'ctx', 'emb']);
    const asked = partitioned(q, a);
    expect(dot(asked, partitioned(mine, a))).toBeGreaterThan(dot(asked, partitioned(q, b)));
    expect(dot(asked, partitioned(q, b))).toBeLessThan(storedSimilarity(0.95));
  }
});

test('the embedding similarity is recovered exactly from the stored vectors of one bucket', () => {
  const e1 = vector(64);
  const e2 = vector(64);
  const cos = dot(unit(e1), unit(e2));
  const stored = dot(partitioned(e1, 'x'), partitioned(e2, 'x'));
  expect(embeddingSimilarity(stored)).toBeCloseTo(cos, 5);
  expect(partitioned(e1, 'x')).toHaveLength(64 + TAG_DIMS);
  expect(Math.hypot(...partitioned(e1, 'x'))).toBeCloseTo(1, 5);
  expect(() => partitioned(new Float32Array(4), 'x')).toThrow('zero length');
});
