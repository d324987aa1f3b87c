/** Per-call times of `fn` in ms, sorted: `n` calls after a warm-up of min(2000, n). */
export function timeEach(fn: () => unknown, n: number): Float64Array {
  for (let i = 0; i < Math.min(2000, n); i++) fn();
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    times[i] = performance.now() - t;
  }
  return times.sort();
}

/** The p-quantile (0..1) of sorted times. */
export const quantile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

/** Milliseconds as µs, right-aligned for a markdown table. */
export const us = (ms: number): string => (ms * 1000).toFixed(1).padStart(7);
