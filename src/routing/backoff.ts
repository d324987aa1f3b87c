/**
 * Exponential backoff with full jitter (a uniform draw in [0, min(max, base · 2^n)]), so
 * clients that failed together do not retry together. `n` counts earlier retries from 0.
 */
export function backoffMs(n: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(n, 30));
  return Math.floor(random() * ceiling);
}
