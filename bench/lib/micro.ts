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

/**
 * Per-call times (ms, sorted) of each row, taken in `rounds` interleaved rounds of n/rounds calls
 * each (after one warm-up of every row), so that every row sees the same share of the machine's
 * noise: a neighbour's burst lands on all rows, not on whichever row ran at that moment.
 */
export function timeRounds(rows: (() => unknown)[], n: number, rounds = 10): Float64Array[] {
  for (const fn of rows) for (let i = 0; i < Math.min(2000, n); i++) fn();
  const per = Math.max(1, Math.floor(n / rounds));
  const times = rows.map(() => new Float64Array(per * rounds));
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of rows.entries()) {
      const t = times[k] as Float64Array;
      for (let i = 0; i < per; i++) {
        const s = performance.now();
        fn();
        t[r * per + i] = performance.now() - s;
      }
    }
  }
  return times.map((t) => t.sort());
}
