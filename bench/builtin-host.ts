/**
 * Cost of the builtin host (OPA's Go builtins through the embedded Go program): its start
 * (compile the Go module, instantiate, run main) and the memory it holds, then the p50/p99 of an
 * evaluation calling a host builtin next to the same policy with a wasm-native one.
 *
 *   bun bench/builtin-host.ts [--n 20000]
 */
import { parseArgs } from 'node:util';
import { acquireBuiltinHost } from '../src/policy/builtin-host.ts';
import { createRegoCompiler } from '../src/policy/compiler/index.ts';
import { createPolicyEngine } from '../src/policy/engine.ts';
import { quantile, timeEach, us } from './lib/micro.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '20000' } } });
const N = Number(values.n);
const mib = (b: number) => (b / 1048576).toFixed(0);

function measure(name: string, fn: () => unknown): void {
  const times = timeEach(fn, N);
  console.log(`| ${name.padEnd(52)} | ${us(quantile(times, 0.5))} | ${us(quantile(times, 0.99))} |`);
}

const policies: Record<string, string> = {
  'native only (concat)': 'decision := {"allowed": true, "m": concat("-", [input.a, "x"])}',
  '1 host call (sprintf)': 'decision := {"allowed": true, "m": sprintf("%s-%d", [input.a, input.n])}',
  '1 host call (net.cidr_merge)': 'decision := {"allowed": true, "m": net.cidr_merge(["10.0.0.0/25", "10.0.0.128/25"])}',
  '1 host call (time.parse_rfc3339_ns)': 'decision := {"allowed": time.parse_rfc3339_ns(input.t) > 0}',
  '3 host calls (sprintf, time.weekday, regex.replace)': 'decision := {"allowed": true, "m": sprintf("%s", [input.a]), "d": time.weekday(1496455200000000000), "r": regex.replace(input.a, "[0-9]", "#")}',
};

const compiler = await createRegoCompiler();
const wasm: Record<string, Uint8Array> = {};
for (const [name, body] of Object.entries(policies)) {
  const r = await compiler.compile({ files: { 'p.rego': `package gateway\n\n${body}\n` }, entrypoints: ['gateway/decision'] });
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.errors)}`);
  wasm[name] = r.wasm;
}
await compiler.close();
Bun.gc(true);

const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
await acquireBuiltinHost();
const startMs = performance.now() - t0;
Bun.gc(true);
console.log(`builtin host start: ${startMs.toFixed(0)} ms (Go module compiled and instantiated in this process); RSS +${mib(process.memoryUsage().rss - rss0)} MiB\n`);

const input = { a: 'ann1', n: 7, t: '2017-06-02T19:00:00-07:00' };
console.log(`N = ${N} per row, after warm-up. Bun ${Bun.version}.\n`);
console.log(`| ${'engine.evaluateRaw'.padEnd(52)} | p50 µs  | p99 µs  |`);
console.log(`|${'-'.repeat(54)}|---------|---------|`);
for (const name of Object.keys(policies)) {
  const engine = await createPolicyEngine({ wasm: wasm[name] as Uint8Array });
  measure(name, () => engine.evaluateRaw(input));
}
process.exit(0);
