import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTable, runConformance, tally } from './conformance-runner.ts';

// OPA's own v1 conformance suite through the gateway's compile and evaluation path
// (conformance-runner.ts). The floor is the pass count this repository has reached: it may
// only go up (raise it when more pass); a silent wrong answer fails at any count.
const FLOOR_FILE = join(import.meta.dir, 'conformance-floor.json');

test('OPA conformance cases: no silent wrong answer, and the pass count does not drop', async () => {
  const results = await runConformance();
  console.log(formatTable(results));
  const { total } = tally(results);
  const wrong = results.filter((r) => r.verdict === 'wrong');
  for (const r of wrong) console.error(`wrong: ${r.note}: ${r.detail ?? ''}`);
  expect(wrong.map((r) => r.note)).toEqual([]);
  const floor = (JSON.parse(readFileSync(FLOOR_FILE, 'utf8')) as { pass: number }).pass;
  if (total.pass > floor) console.log(`${total.pass} pass, above the floor of ${floor}: raise it in ${FLOOR_FILE}`);
  expect(total.pass).toBeGreaterThanOrEqual(floor);
}, 300_000); // a first run on a machine compiles every case (about a minute); later runs reuse the modules
