/**
 * What the decision log costs: on the request path, building the row (masking the input's
 * free-text fields, serialising it) and queueing it; off the path, the batched inserts into a
 * file database; and, for `policy replay`, re-evaluating logged inputs with the wasm engine.
 * Prints p50/p99 in µs per decision and rows/s.
 *
 *   bun bench/decision-log.ts [--n 20000]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/lib/logger.ts';
import { decisionRecord } from '../src/policy/decision-record.ts';
import { createPolicyEngine } from '../src/policy/engine.ts';
import { buildInput } from '../src/policy/input.ts';
import { formatProblem, loadPolicies } from '../src/policy/loader.ts';
import { openStore } from '../src/store/client.ts';
import { decisionLog } from '../src/store/decision-log.ts';
import { migrate } from '../src/store/migrate.ts';
import { chatRequest } from '../src/wire/openai.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '20000' } } });
const N = Number(values.n);

const input = buildInput({
  endpoint: 'chat.completions',
  body: chatRequest.parse({ model: 'gpt-4o', max_tokens: 512, messages: [{ role: 'user', content: 'My order arrived damaged; write to ann.lee@example.com. '.repeat(20) }], metadata: { ticket: 'T-4521', owner: 'ops@example.com' } }),
  headers: new Headers({ 'user-agent': 'openai-node/6.0', 'x-tollgate-tags': 'support,eu' }),
  clientIp: '10.1.2.3',
  key: { id: 'k_1', name: 'support-bot', team: 'research', user: 'ann@example.com', tags: ['tier:gold'] },
  providers: Object.fromEntries(['openai', 'anthropic', 'bedrock', 'mock'].map((p) => [p, { healthy: true, error_rate: 0, p50_ms: 800, data_residency: 'public' as const, type: p }])),
  catalogTarget: { provider: 'openai', model: 'gpt-4o' },
  now: new Date('2025-03-07T10:00:00Z'),
});

const loaded = await loadPolicies({ dir: 'policies' });
if (!loaded.ok) throw new Error(loaded.errors.map(formatProblem).join('\n'));
const engine = await createPolicyEngine({ wasm: loaded.policy.wasm, data: loaded.policy.data });
const evaluation = engine.evaluate(input);

function measure(name: string, fn: (i: number) => unknown): void {
  for (let i = 0; i < Math.min(2000, N); i++) fn(i);
  const times = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    fn(i);
    times[i] = performance.now() - t;
  }
  times.sort();
  const us = (ms: number) => (ms * 1000).toFixed(1).padStart(7);
  console.log(`${name.padEnd(44)} p50 ${us(times[N >> 1]!)} µs   p99 ${us(times[Math.floor(N * 0.99)]!)} µs`);
}

const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-decisions-'));
const store = await openStore({ url: `file:${join(dir, 'db.sqlite')}` });
await migrate(store.client);
const log = decisionLog(store, silentLogger, { sampleRate: 1, denySampleRate: 1, retentionMs: null, maxInputBytes: 16384, maxQueue: 10 * N, intervalMs: 60_000, maxBatch: 10 * N });

console.log(`input ${JSON.stringify(input).length} bytes; ${N} decisions per row`);
measure('policy evaluate (for scale)', () => engine.evaluate(input));
measure('decisionRecord (mask + serialise)', (i) => decisionRecord({ requestId: `r${i}`, input, evaluation, maxInputBytes: 16384, now: i }));
let k = 0;
measure('decisionRecord + write (the request path)', () => {
  const n = k++;
  if (log.wants(true)) log.write(decisionRecord({ requestId: `r${n}`, input, evaluation: { ...evaluation, decision_id: `d${n}` }, maxInputBytes: 16384, now: n }));
});
const queued = log.stats().backlog;
let t = performance.now();
await log.flush();
const flushS = (performance.now() - t) / 1000;
console.log(`batched insert (off the request path)         ${queued} rows in ${flushS.toFixed(2)} s = ${Math.round(queued / flushS)} rows/s`);

const rows = (await store.client.execute({ sql: 'SELECT input FROM decisions LIMIT ?', args: [N] })).rows.map((r) => String(r.input));
t = performance.now();
for (const r of rows) engine.evaluate(JSON.parse(r));
const replayS = (performance.now() - t) / 1000;
console.log(`replay evaluation (parse + evaluate)          ${rows.length} in ${replayS.toFixed(2)} s = ${Math.round(rows.length / replayS)} decisions/s`);
await log.close();
store.close();
