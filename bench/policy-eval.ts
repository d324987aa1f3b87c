/**
 * Per-request cost of the policy engine with the default policies (policies/): building the
 * input document, serialising it (the bytes opa-wasm copies into the policy's memory), the
 * opa-wasm evaluation, and the whole engine.evaluate (serialise + evaluate + decision schema), with
 * the provider facts the same as the last request's (kept parsed) and new at every request.
 * Prints p50/p99/max in µs over N evaluations per row after a warm-up, every row timed in the
 * same interleaved rounds (so a noisy neighbour's burst lands on all of them).
 *
 *   bun bench/policy-eval.ts [--n 20000] [--json]   (--json: the rows as JSON on stdout, for bench/run.ts)
 */
import { parseArgs } from 'node:util';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { createRegoCompiler } from '../src/policy/compiler/index.ts';
import { parseDecision } from '../src/policy/decision.ts';
import { createPolicyEngine } from '../src/policy/engine.ts';
import { buildInput, type BuildInputArgs } from '../src/policy/input.ts';
import { formatProblem, loadPolicies } from '../src/policy/loader.ts';
import { instantiateOpa } from '../src/policy/opa-abi.ts';
import { moduleInputProjection } from '../src/policy/input-projection.ts';
import { decodeResultSet } from '../src/policy/opa-value.ts';
import { chatRequest } from '../src/wire/openai.ts';
import { quantile, timeRounds, us } from './lib/micro.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '20000' }, json: { type: 'boolean', default: false } } });
const N = Number(values.n);

// A realistic chat request: a system prompt, a short conversation, ~1.6 KB of text, one email.
const body = chatRequest.parse({
  model: 'gpt-4o',
  max_tokens: 1024,
  messages: [
    { role: 'system', content: 'You are a support assistant for Acme. Answer in the customer\'s language, cite the knowledge base article ids you use, and never promise refunds. '.repeat(3) },
    { role: 'user', content: 'Hello, my order 4521-778 arrived damaged. The box was crushed and two of the glasses are broken. Can you help me get replacements? My email is ann.lee@example.com.' },
    { role: 'assistant', content: 'I am sorry to hear that. Could you tell me which items are broken and whether you would prefer a replacement or a refund? '.repeat(2) },
    { role: 'user', content: 'Two of the six wine glasses (item WG-6, blue). Replacement please, delivered to the same address as before, ideally before the weekend.' },
  ],
});
const headers = new Headers({ 'user-agent': 'openai-node/6.0', 'x-request-id': 'req_123', authorization: 'Bearer x' });
const providers = {
  openai: { healthy: true, error_rate: 0.01, p50_ms: 800, data_residency: 'public' as const, type: 'openai' },
  anthropic: { healthy: true, error_rate: 0, p50_ms: 900, data_residency: 'public' as const, type: 'anthropic' },
  bedrock: { healthy: true, error_rate: 0, p50_ms: 1100, data_residency: 'private' as const, type: 'bedrock' },
  mock: { healthy: true, error_rate: 0, p50_ms: 1, data_residency: 'private' as const, type: 'mock' },
};
const args: BuildInputArgs = {
  endpoint: 'chat.completions',
  body,
  headers,
  clientIp: '10.1.2.3',
  key: { id: 'k_1', name: 'support-bot', team: 'research' },
  usage: { team: { month_usd: 123.45, day_usd: 4.5, minute_requests: 3 } },
  providers,
  catalogTarget: { provider: 'openai', model: 'gpt-4o' },
  now: new Date('2025-03-07T10:00:00Z'),
};

const rows: { name: string; fn: () => unknown }[] = [];
function measure(name: string, fn: () => unknown): void {
  rows.push({ name, fn });
}

const loaded = await loadPolicies({ dir: 'policies' });
if (!loaded.ok) throw new Error(loaded.errors.map(formatProblem).join('\n'));
const engine = await createPolicyEngine({ wasm: loaded.policy.wasm, data: loaded.policy.data, revision: loaded.policy.revision });
const input = buildInput(args);
const inputs = [800, 801].map((p50_ms) => buildInput({ ...args, providers: { ...providers, openai: { ...providers.openai, p50_ms } } }));
const encoder = new TextEncoder();
const serialized = encoder.encode(JSON.stringify(input)).buffer;

// References: the same policy without the fuel meter, and a trivial policy (the opa-wasm call floor).
const unmetered = await loadPolicy(loaded.policy.wasm, { initial: 5, maximum: 1024 });
unmetered.setData(loaded.policy.data);
// The gateway's own ABI loader (src/policy/opa-abi.ts) on the same unmetered module.
const own = instantiateOpa(new WebAssembly.Module(loaded.policy.wasm.slice().buffer), new WebAssembly.Memory({ initial: 5, maximum: 1024 }), () => undefined);
own.setData(encoder.encode(JSON.stringify(loaded.policy.data)));
const ownEntry = own.entrypoints['gateway/decision'] ?? 0;
const serializedBytes = new Uint8Array(serialized);
// What the engine sends: only the parts of the input the policy reads (its tollgate.input_paths).
const project = moduleInputProjection(new WebAssembly.Module(loaded.policy.wasm.slice().buffer));
const projectedBytes = encoder.encode(JSON.stringify(project ? project(input) : input));
const compiler = await createRegoCompiler();
const trivial = await compiler.compile({ files: { 'p.rego': 'package gateway\n\ndecision := {"allowed": true}\n' }, entrypoints: ['gateway/decision'] });
await compiler.close();
if (!trivial.ok) throw new Error('trivial policy did not compile');
const floor = await loadPolicy(trivial.wasm);

const decision = engine.evaluate(input);
// --json: only the JSON document on stdout.
const say = values.json ? () => undefined : console.log;
say(`default policies revision ${loaded.policy.revision}; input ${serialized.byteLength} bytes; decision:\n${JSON.stringify(decision.decision)}\n`);
say(`N = ${N} per row, after warm-up. Bun ${Bun.version}.\n`);
say('| step                                         | p50 µs  | p99 µs  | max µs  |');
say('|----------------------------------------------|---------|---------|---------|');
measure('buildInput (counts, token estimate, PII scan)', () => buildInput(args));
measure('serialise input (JSON.stringify + encode)', () => encoder.encode(JSON.stringify(input)));
measure('opa-wasm evaluate, trivial policy (floor)', () => floor.evaluate(serialized));
measure('opa-wasm evaluate, default policies, no meter', () => unmetered.evaluate(serialized));
measure('gateway ABI loader, same, no meter', () => decodeResultSet(own.evaluate(serializedBytes, ownEntry)));
measure(`same, projected input (${projectedBytes.length} B), no meter`, () => decodeResultSet(own.evaluate(projectedBytes, ownEntry)));
measure('engine.evaluateRaw (serialise + metered eval)', () => engine.evaluateRaw(input));
measure('parseDecision (zod)', () => parseDecision(decision.decision));
measure('engine.evaluate (all of the above but build)', () => engine.evaluate(input));
// Provider facts that change at every request (they change at most every 250 ms in the gateway):
// nothing is kept parsed between evaluations (src/policy/engine.ts, lastText).
let flip = 0;
measure('same, provider facts new at every request', () => engine.evaluate(inputs[flip++ & 1]!));
measure('buildInput + engine.evaluate', () => engine.evaluate(buildInput(args)));

// All rows in interleaved rounds (bench/lib/micro.ts: timeRounds), so they share the noise.
const measured = timeRounds(rows.map((r) => r.fn), N).map((times, k) => ({ name: rows[k]!.name, p50_us: quantile(times, 0.5) * 1000, p99_us: quantile(times, 0.99) * 1000, max_us: (times[times.length - 1] ?? 0) * 1000 }));
if (values.json) console.log(JSON.stringify({ n: N, bun: Bun.version, input_bytes: serialized.byteLength, rows: measured }));
for (const r of measured) say(`| ${r.name.padEnd(44)} | ${us(r.p50_us / 1000)} | ${us(r.p99_us / 1000)} | ${us(r.max_us / 1000)} |`);
