/**
 * Memory and CPU per request of the `tollgate` contender (everything on), without the whole
 * run: starts the mock upstream and one gateway (the built binary, or a command given after
 * `--`), reads its RSS at idle, loads it with wrk (JSON, c = 10) and reports the peak RSS, the
 * RSS breakdown (/proc/<pid>/smaps_rollup) and the gateway's CPU (user + sys) per completed
 * request. Compare two gateways back to back on a shared machine, not against old numbers.
 *
 *   bun bench/memory.ts [--bin dist/tollgate] [--seconds 8] [--concurrency 10] [--rounds 2]
 *   bun bench/memory.ts --source [--preload file.ts] [--bun-flag=--smol]   the gateway from src/ (same config and key)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { tollgates } from './contenders/tollgate.ts';
import { freePort, processTree, rssSampler, start, stopAll, treeCpuMs, waitUntil } from './lib/proc.ts';
import { runWrk, wrkScript } from './wrk.ts';

const { values } = parseArgs({
  options: {
    bin: { type: 'string', default: 'dist/tollgate' },
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    source: { type: 'boolean', default: false },
    preload: { type: 'string' },
    'bun-flag': { type: 'string', multiple: true, default: [] },
  },
});
const root = resolve(import.meta.dir, '..');
const work = join(root, 'bench/.work/memory');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const rollup = (pid: number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n')) {
    const m = /^(Rss|Anonymous|Private_Dirty|Shared_Clean|Private_Clean):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]!] = Math.round(Number(m[2]) / 1024);
  }
  return out;
};

/** CPU (user + sys) of each thread of `pid`, by thread name, largest first. */
function threadCpu(pid: number, since?: Map<string, number>): string[] {
  const by = threadCpuMap(pid);
  if (since) for (const [n, ms] of since) by.set(n, (by.get(n) ?? 0) - ms);
  return [...by].filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1]).map(([n, ms]) => `${n} ${ms}`);
}

function threadCpuMap(pid: number): Map<string, number> {
  const by = new Map<string, number>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const st = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      by.set(name, (by.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // the thread ended
    }
  }
  return by;
}

/** The mappings holding most of the RSS: `rss name` (anonymous ones by size, to tell heaps apart). */
function topMappings(pid: number, n = 12): string[] {
  const maps: { rss: number; name: string }[] = [];
  let cur: { rss: number; name: string } | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const size = (parseInt(head[2]!, 16) - parseInt(head[1]!, 16)) / 1048576;
      cur = { rss: 0, name: head[3] || `anon ${head[1]!.slice(-9)} of ${size.toFixed(1)} MB` };
      maps.push(cur);
    } else if (cur && line.startsWith('Rss:')) cur.rss = Number(/(\d+)/.exec(line)![1]) / 1024;
  }
  return maps.sort((a, b) => b.rss - a.rss).slice(0, n).map((m) => `${m.rss.toFixed(1)} ${m.name}`);
}

try {
  const upPort = await freePort();
  start('mock', [process.execPath, join(root, 'bench/mock-upstream.ts'), '--port', String(upPort)], { log: join(work, 'mock.log') });
  await waitUntil(async () => (await fetch(`http://127.0.0.1:${upPort}/healthz`).catch(() => undefined)) !== undefined, { since: performance.now(), timeoutMs: 20_000 });
  const ctx = { root, work, upstreamHost: `127.0.0.1:${upPort}`, bun: process.execPath, cores: 2 };
  const [full] = await tollgates(ctx, resolve(values.bin!), 'local');
  if (!full || 'unavailable' in full) throw new Error(`no gateway: ${full && 'unavailable' in full ? full.unavailable : ''}`);
  const port = await freePort();
  const dir = join(work, 'gw');
  mkdirSync(dir, { recursive: true });
  const launch = await full.launch(port, dir);
  const cmd = values.source ? [process.execPath, ...values['bun-flag']!, ...(values.preload ? ['--preload', resolve(values.preload)] : []), join(root, 'src/main.ts'), ...launch.cmd.slice(1)] : launch.cmd;
  const gw = start('tollgate', cmd, { cwd: launch.cwd, log: join(dir, 'gw.log') });
  const url = `http://127.0.0.1:${port}${full.path}`;
  const headers = { ...full.headers, ...launch.headers };
  const script = wrkScript(dir, 'bench', headers);
  await waitUntil(async () => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }] }) })).status === 200, { since: performance.now(), timeoutMs: 30_000, everyMs: 20 });
  await Bun.sleep(1000);
  const pids = () => processTree(gw.pid);
  console.log(`idle after one request: ${JSON.stringify(rollup(gw.pid))} MB`);
  console.log(`largest mappings at idle (MB): ${topMappings(gw.pid).join(', ')}`);
  const sampler = rssSampler(gw.pid);
  for (let r = 1; r <= Number(values.rounds); r++) {
    const cpu0 = treeCpuMs(pids());
    const threads0 = threadCpuMap(gw.pid);
    const { result } = await runWrk({ wrk: 'wrk', script, url, concurrency: Number(values.concurrency), seconds: Number(values.seconds) });
    const cpu = treeCpuMs(pids()) - cpu0;
    console.log(`round ${r}: ${result.requests} req (${result.rps} req/s, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, errors ${result.errors}), CPU ${Math.round((cpu * 1000) / result.requests)} µs/req, peak RSS ${Math.round(sampler.peak().mb)} MB (anon ${Math.round(sampler.peak().anonMb)}), now ${JSON.stringify(rollup(gw.pid))}`);
    console.log(`  CPU by thread in round ${r} (ms): ${threadCpu(gw.pid, threads0).join(', ')}`);
  }
  sampler.stop();
  console.log(`CPU by thread since start (ms): ${threadCpu(gw.pid).join(', ')}`);
  console.log(`largest mappings under load (MB): ${topMappings(gw.pid).join(', ')}`);
  await Bun.sleep(2000);
  console.log(`idle after load: ${JSON.stringify(rollup(gw.pid))} MB; threads ${readFileSync(`/proc/${gw.pid}/status`, 'utf8').match(/Threads:\s+(\d+)/)?.[1]}`);
} finally {
  await stopAll();
}
