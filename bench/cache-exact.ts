/**
 * The exact response cache on the hot path, through a real gateway (policy on, ledger on a file
 * database, the built-in mock provider, so "upstream" costs next to nothing and the gateway's own
 * time is what is measured), sequential requests from this process after a warm-up:
 *   (1) an exact hit from the memory front, and (2) from the database (memory front off):
 *       client-side wall time per request and the gateway's x-tollgate-overhead-ms;
 *   (3) the added cost of a miss: unique prompts with the cache read_write (lookup + the write
 *       after the answer) against the same prompts on a model the policy does not cache.
 *
 *   bun bench/cache-exact.ts [--n 2000]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startTestGateway } from '../test/helpers/gateway.ts';
import { median } from './lib/stats.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '2000' } } });
const N = Number(values.n);
const POLICY = 'package gateway\n\ndecision := {"allowed": true, "cache": {"mode": "read_write", "scope": "global"}} if input.request.model == "cached"\n\ndecision := {"allowed": true} if input.request.model != "cached"\n';

async function gateway(memoryEntries: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-cache-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'decision.rego'), POLICY);
  return startTestGateway({
    database: { url: `file:${join(dir, 'db.sqlite')}` },
    policy: { dir: join(dir, 'policies'), watch: false },
    cache: { memory_entries: memoryEntries },
    providers: { mock: { type: 'mock' } },
    models: { cached: { provider: 'mock', model: 'mock/ok' }, plain: { provider: 'mock', model: 'mock/ok' } },
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const fmt = (xs: number[]) => `p50 ${median(xs).toFixed(3)} ms, p90 ${pct(xs, 0.9).toFixed(3)}, p99 ${pct(xs, 0.99).toFixed(3)}`;

async function timed(url: string, model: string, text: (i: number) => string, n: number, expect: string | null) {
  const wall: number[] = [];
  const overhead: number[] = [];
  for (let i = 0; i < n; i++) {
    const body = JSON.stringify({ model, messages: [{ role: 'user', content: text(i) }] });
    const t = performance.now();
    const r = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await r.arrayBuffer();
    wall.push(performance.now() - t);
    overhead.push(Number(r.headers.get('x-tollgate-overhead-ms')));
    if (r.headers.get('x-tollgate-cache') !== expect) throw new Error(`request ${i}: x-tollgate-cache ${r.headers.get('x-tollgate-cache')}, expected ${expect}`);
  }
  return { wall, overhead };
}

async function hits(memoryEntries: number) {
  const gw = await gateway(memoryEntries);
  const prompt = () => 'what is the capital of France?';
  await timed(gw.url, 'cached', prompt, 1, 'miss');
  await Bun.sleep(100);
  await timed(gw.url, 'cached', prompt, 300, 'hit');
  const r = await timed(gw.url, 'cached', prompt, N, 'hit');
  await gw.stop();
  return r;
}

async function missCost() {
  const gw = await gateway(2000);
  let k = 0;
  const unique = () => `question number ${k++} about something new`;
  await timed(gw.url, 'plain', unique, 300, null);
  await timed(gw.url, 'cached', unique, 300, 'miss');
  const off: number[] = [];
  const on: number[] = [];
  const offOver: number[] = [];
  const onOver: number[] = [];
  // Alternating blocks spread the machine's noise over both.
  for (let round = 0; round < 4; round++) {
    const a = await timed(gw.url, 'plain', unique, N / 4, null);
    const b = await timed(gw.url, 'cached', unique, N / 4, 'miss');
    off.push(...a.wall), offOver.push(...a.overhead), on.push(...b.wall), onOver.push(...b.overhead);
  }
  await gw.stop();
  return { off, on, offOver, onOver };
}

const mem = await hits(2000);
console.log(`exact hit, memory front:   wall ${fmt(mem.wall)}; gateway overhead ${fmt(mem.overhead)}`);
const disk = await hits(0);
console.log(`exact hit, database only:  wall ${fmt(disk.wall)}; gateway overhead ${fmt(disk.overhead)}`);
const miss = await missCost();
console.log(`not cached (no decision): wall ${fmt(miss.off)}; gateway overhead ${fmt(miss.offOver)}`);
console.log(`miss (lookup + write):     wall ${fmt(miss.on)}; gateway overhead ${fmt(miss.onOver)}`);
console.log(`added cost of a miss: p50 wall ${(median(miss.on) - median(miss.off)).toFixed(3)} ms, p50 overhead ${(median(miss.onOver) - median(miss.offOver)).toFixed(3)} ms`);
