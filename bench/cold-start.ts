/**
 * Cold start of built binaries: spawn → first 200 on /healthz, with the embedded default config
 * and policies, in a fresh directory each time (so the database is created, as on a first run).
 * Several binaries are measured in turn (A B A B …), so a busy machine disturbs them alike; the
 * CPU time the process used until then is reported too (less sensitive to a busy machine).
 *
 * --cold-cache gives each start an empty addon cache (TOLLGATE_CACHE_DIR), as on a first run.
 * --chat waits for the first 200 on a chat completion (mock-gpt) instead of /healthz: the first
 * request's own work (its schema's first parse, the first policy evaluation, the first ledger
 * statements) counts too.
 *
 *   bun bench/cold-start.ts [dist/tollgate …] [--runs 10] [--cold-cache] [--chat]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, start, treeCpuMs, waitUntil } from './lib/proc.ts';

const { values, positionals } = parseArgs({ options: { runs: { type: 'string', default: '10' }, 'cold-cache': { type: 'boolean', default: false }, chat: { type: 'boolean', default: false } }, allowPositionals: true });
const bins = (positionals.length ? positionals : ['dist/tollgate']).map((p) => resolve(p));
const runs = Number(values.runs);

interface Run {
  ms: number;
  cpuMs: number;
}

async function once(bin: string): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cold-'));
  const port = await freePort();
  const env = values['cold-cache'] ? { TOLLGATE_CACHE_DIR: join(dir, 'cache') } : {};
  const p = start('tollgate', [bin, 'serve', '--port', String(port)], { cwd: dir, env, log: join(dir, 'log') });
  try {
    const probe = values.chat ? chatProbe(port) : async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
    const ms = await waitUntil(probe, { since: p.spawnedAt, timeoutMs: 30_000, alive: () => p.proc.exitCode === null });
    return { ms, cpuMs: treeCpuMs([p.pid]) };
  } finally {
    await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const chatProbe = (port: number) => async () =>
  (
    await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer anything', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'Hello' }] }),
    })
  ).status === 200;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};
const results = new Map<string, Run[]>(bins.map((b) => [b, []]));
for (let i = 0; i < runs; i++) for (const bin of bins) results.get(bin)!.push(await once(bin));
for (const [bin, rs] of results) {
  const ms = rs.map((r) => r.ms);
  console.log(
    `cold start${values.chat ? ' (first chat completion)' : ''} ${bin}: median ${median(ms).toFixed(0)} ms over ${runs} (min ${Math.min(...ms).toFixed(0)}), ` +
      `CPU ${median(rs.map((r) => r.cpuMs)).toFixed(0)} ms; runs: ${ms.map((t) => t.toFixed(0)).join(' ')}`,
  );
}
