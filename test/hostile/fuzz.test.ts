import { expect, test } from 'bun:test';
import { describeReport, runFuzz } from './fuzz/run.ts';

// Issue 11, "done when": ≥ 5,000 malformed bodies, seeded and bounded in time, across every
// endpoint (chat completions, legacy completions, messages, count_tokens, embeddings, models, /admin/*), through the
// in-process app. No gateway-caused 5xx: a 500 never, a 502/503/504 only from the model whose
// mock upstream fails on purpose. `bun bench/fuzz.ts` is the longer run.
test('5,000+ fuzzed requests: no gateway-caused 5xx', async () => {
  // Exactly the 5,000 the issue asks for (the first 5,000 of the seed; 6,000 cost a fifth more CPU for no further requirement).
  const report = await runFuzz({ seed: 20_261_101, maxCases: 5_000, timeMs: 25_000 });
  console.log(describeReport(report));
  expect(report.cases).toBeGreaterThanOrEqual(5_000);
  expect(report.failures.map((f) => `${f.status} ${f.case.method} ${f.case.path}: ${f.case.body?.slice(0, 200)}\n${f.cause ?? ''}`)).toEqual([]);
}, 30_000);
