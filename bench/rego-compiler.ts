// Measures the in-process Rego compiler and opa-wasm evaluation.
// Usage: bun bench/rego-compiler.ts   (after bun src/policy/compiler/build.ts)
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { createRegoCompiler } from "../src/policy/compiler/index.ts";

const POLICY = `package gateway

default decision := {"allowed": false}

decision := {"allowed": true, "model": input.model, "max_tokens": limit} if {
	input.model in data.models
	not input.user in data.blocked
	limit := object.get(data.limits, input.model, 1024)
}
`;
const files = { "gateway/policy.rego": POLICY };
const data = { models: ["m1", "m2"], blocked: ["eve"], limits: { m1: 4096 } };

const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
const ms = (n: number) => `${n.toFixed(2)} ms`;
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

Bun.gc(true);
const rss0 = process.memoryUsage().rss;
let t = performance.now();
const compiler = await createRegoCompiler();
console.log(`startup (read + instantiate + Go init): ${ms(performance.now() - t)}`);
Bun.gc(true);
console.log(`after startup: Go linear memory ${mib(compiler.memoryBytes())}, process RSS +${mib(process.memoryUsage().rss - rss0)}`);

const compileTimes: number[] = [];
let wasm: Uint8Array = new Uint8Array();
for (let i = 0; i < 21; i++) {
  t = performance.now();
  const r = await compiler.compile({ files, entrypoints: ["gateway/decision"], data });
  compileTimes.push(performance.now() - t);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  wasm = r.wasm;
}
const warm = compileTimes.slice(1).sort((a, b) => a - b);
console.log(`compile small policy: first ${ms(compileTimes[0] ?? 0)}, warm p50 ${ms(percentile(warm, 50))} (n=20); policy.wasm ${wasm.length} bytes`);

t = performance.now();
const tests = await compiler.test({ data, files: { ...files, "gateway/policy_test.rego": "package gateway\ntest_a if { decision.allowed with input as {\"model\": \"m1\", \"user\": \"ann\"} with data.models as [\"m1\"] }\n" } });
console.log(`test (1 test): ${ms(performance.now() - t)} ok=${tests.ok}`);

const inputs = Array.from({ length: 1000 }, (_, i) => ({ model: `m${i % 3}`, user: i % 7 === 0 ? "eve" : "ann" }));
t = performance.now();
await compiler.evalBatch({ files, data, query: "data.gateway.decision", inputs });
console.log(`evalBatch (topdown) 1000 inputs: ${ms(performance.now() - t)}`);

Bun.gc(true);
console.log(`compiler memory: Go linear memory ${mib(compiler.memoryBytes())}, process RSS +${mib(process.memoryUsage().rss - rss0)}`);

const policy = await loadPolicy(wasm);
policy.setData(data);
const evalTimes: number[] = [];
for (let i = 0; i < 1000; i++) policy.evaluate(inputs[i % inputs.length]); // warm-up
for (let i = 0; i < 10000; i++) {
  const input = inputs[i % inputs.length];
  const s = performance.now();
  policy.evaluate(input);
  evalTimes.push(performance.now() - s);
}
evalTimes.sort((a, b) => a - b);
const us = (n: number) => `${(n * 1000).toFixed(1)} µs`;
console.log(`opa-wasm evaluate (10k): p50 ${us(percentile(evalTimes, 50))}, p99 ${us(percentile(evalTimes, 99))}, max ${us(evalTimes.at(-1) ?? 0)}`);
await compiler.close();
