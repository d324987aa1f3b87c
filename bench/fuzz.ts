// The longer fuzz run: `bun bench/fuzz.ts [--seed N] [--cases N] [--seconds N]`.
// Exits 1 when any gateway-caused 5xx (or hang) is found; prints each with its body and cause.
import { parseArgs } from 'node:util';
import { describeReport, runFuzz } from '../test/hostile/fuzz/run.ts';

const { values } = parseArgs({ options: { seed: { type: 'string' }, cases: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '120' }, show: { type: 'string', default: '20' } } });
const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const report = await runFuzz({ seed, maxCases: Number(values.cases), timeMs: Number(values.seconds) * 1000 });
console.log(describeReport(report, Number(values.show)));
if (report.failures.length) process.exit(1);
