/**
 * PII scan cost per MB of prompt, on prose and on inputs built to make scanners backtrack.
 * `bun bench/pii-scan.ts [KiB]` (default 1024). Prints ms per MB for each input.
 */
import { findPii } from '../src/policy/pii.ts';
import { ADVERSARIAL } from '../src/policy/pii-adversarial.ts';

const kib = Number(process.argv[2] ?? 1024);
const size = kib * 1024;
console.log(`PII scan, ${kib} KiB per input (ms per MB, best of 3)`);
for (const [name, make] of Object.entries(ADVERSARIAL)) {
  const text = make(size);
  let best = Infinity;
  let found = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    found = findPii(text).length;
    best = Math.min(best, performance.now() - t);
  }
  const perMb = best / (text.length / 1_048_576);
  console.log(`${name.padEnd(22)} ${perMb.toFixed(1).padStart(9)} ms/MB  (${found} matches)`);
}
