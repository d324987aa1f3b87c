/**
 * What metrics and traces cost on the hot path. (1) The per-request observation alone: Metrics.record for a
 * realistic usage record plus Metrics.decision, µs per request. (2) A whole request through a real
 * gateway (mock provider, policy off, ledger on a file database), CPU µs of this process per
 * request with metrics off, metrics on, and metrics + tracing on (every request sampled, spans
 * exported over OTLP/HTTP to a local receiver that discards them), sequential, after a warm-up.
 *
 *   bun bench/metrics-overhead.ts [--n 3000]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/load.ts';
import { createMetrics } from '../src/obs/metrics.ts';
import { startTestGateway } from '../test/helpers/gateway.ts';
import type { UsageRecord } from '../src/store/usage-record.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '3000' } } });
const N = Number(values.n);

async function observationCost() {
  const { config } = await parseConfig('providers: { openai: { type: openai, api_key: x } }\nmodels: { gpt-4o: { provider: openai, model: gpt-4o } }\n', 'bench.yaml', {});
  const m = createMetrics({ config: () => config, knownModel: (n) => n === 'gpt-4o' });
  const record: UsageRecord = {
    request_id: 'r', endpoint: 'chat.completions', team: 'ml', key_name: 'k', requested_model: 'gpt-4o', provider: 'openai', served_model: 'gpt-4o', status: 200, outcome: 'ok', stream: true,
    usage: { input_tokens: 812, output_tokens: 240, cached_input_tokens: 512, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 },
    attempts: [{ provider: 'openai', model: 'gpt-4o', status: 200, ms: 420 }], cost_micros: 4431, price_version: 'v', usage_source: 'provider', latency_ms: 2300, ttft_ms: 380, overhead_ms: 0.9,
  };
  const rounds = 50_000;
  for (let i = 0; i < 5_000; i++) m.record(record);
  const t = performance.now();
  for (let i = 0; i < rounds; i++) {
    m.record(record);
    m.decision('allow', 200, 14);
  }
  const us = ((performance.now() - t) * 1000) / rounds;
  const r = performance.now();
  const text = await m.render();
  return { us, renderMs: performance.now() - r, bytes: text.length };
}

async function perRequestCpu(metrics: boolean, tracing?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-metrics-'));
  const gw = await startTestGateway({
    database: { url: `file:${join(dir, 'db.sqlite')}` },
    metrics: { enabled: metrics, token: 'bench-metrics-token-0123' },
    ...(tracing ? { tracing: { endpoint: tracing, batch_ms: 200 } } : {}),
    providers: { mock: { type: 'mock' } },
    models: { chat: { provider: 'mock', model: 'mock/ok' } },
  });
  const body = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hello there, a short prompt' }] });
  const one = async () => (await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
  for (let i = 0; i < 300; i++) await one();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await one();
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  await gw.stop();
  return { cpuUs: (c.user + c.system) / N, wallUs: (wall * 1000) / N };
}

const obs = await observationCost();
console.log(`observation: ${obs.us.toFixed(2)} µs per request (record + decision); render ${obs.renderMs.toFixed(2)} ms, ${obs.bytes} bytes`);
const sink = Bun.serve({ port: 0, fetch: async (req) => (await req.arrayBuffer(), Response.json({})) });
const otlp = `http://127.0.0.1:${sink.port}/v1/traces`;
// Alternate to spread machine noise over all three.
const off: number[] = [];
const on: number[] = [];
const traced: number[] = [];
for (let round = 0; round < 2; round++) {
  off.push((await perRequestCpu(false)).cpuUs);
  on.push((await perRequestCpu(true)).cpuUs);
  traced.push((await perRequestCpu(true, otlp)).cpuUs);
}
sink.stop(true);
const best = (xs: number[]) => Math.min(...xs);
const runs = (xs: number[]) => xs.map((x) => x.toFixed(0)).join('/');
console.log(`whole request (client and gateway in this process), CPU µs per request, best of ${off.length}: metrics off ${best(off).toFixed(0)} (${runs(off)}), metrics on ${best(on).toFixed(0)} (${runs(on)}), metrics + tracing ${best(traced).toFixed(0)} (${runs(traced)})`);
