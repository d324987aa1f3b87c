/**
 * One measured case: load on a contender (wrk for plain JSON when installed, the Bun client
 * for streams), with the CPU each party used meanwhile: the contender's process tree, the
 * mock upstream, the load generator, and whatever else ran on the machine.
 */
import { join } from 'node:path';
import type { LoadResult } from '../load.ts';
import type { Scenario } from '../scenarios.ts';
import { cpuOf, runWrk, wrkScript } from '../wrk.ts';
import { machineCpu, processTree, treeCpuMs, userProcessesCpu } from './proc.ts';

export interface CaseResult extends LoadResult {
  generator: 'wrk' | 'bun';
  /** Measured twice because other processes were busy during the first run; this is the quieter one. */
  remeasured?: boolean;
  /** CPU the contender's processes used per completed request, µs. */
  cpu_us_per_req: number;
  cpu: {
    contender_ms: number;
    upstream_ms: number;
    loadgen_ms: number;
    /** User-space processes that are not the bench's: someone else using the machine. */
    foreign_ms: number;
    /** The busiest of those, "name pid: ms", when any used more than 50 ms. */
    foreign_top?: string[];
    /** The rest of the busy time: interrupts, kernel threads (loopback networking), short-lived processes. */
    kernel_ms: number;
    machine_busy_pct: number;
  };
}

export interface Target {
  url: string;
  headers: Record<string, string>;
  /** Root pid of the contender (its tree is re-read per case). */
  pid: number;
  /** Pid of the shared mock upstream (0 when the contender is the mock). */
  upstreamPid: number;
}

export interface Tools {
  bun: string;
  root: string;
  wrk?: string;
  scratch: string;
}

export async function runCase(t: Target, s: Scenario, seconds: number, tools: Tools): Promise<CaseResult> {
  const pids = processTree(t.pid);
  const up = t.upstreamPid ? [t.upstreamPid] : [];
  const c0 = treeCpuMs(pids);
  const u0 = treeCpuMs(up);
  const m0 = machineCpu();
  const all0 = userProcessesCpu();
  let result: LoadResult;
  let loadgenMs: number;
  let generator: CaseResult['generator'];
  if (!s.stream && tools.wrk) {
    generator = 'wrk';
    const script = wrkScript(tools.scratch, s.model, t.headers);
    ({ result, cpuMs: loadgenMs } = await runWrk({ wrk: tools.wrk, script, url: t.url, concurrency: s.c, seconds }));
  } else {
    generator = 'bun';
    ({ result, cpuMs: loadgenMs } = await runBunClient(t, s, seconds, tools));
  }
  const contenderMs = treeCpuMs(pids) - c0;
  const upstreamMs = treeCpuMs(up) - u0;
  const m1 = machineCpu();
  const all1 = userProcessesCpu();
  const busy = m1.busyMs - m0.busyMs;
  const ours = new Set([...pids, ...up, process.pid]);
  let foreign = 0;
  let selfMs = 0;
  const busiest: [string, number][] = [];
  for (const [pid, { ms, name }] of all1) {
    const d = ms - (all0.get(pid)?.ms ?? ms);
    if (ours.has(pid)) {
      if (pid === process.pid) selfMs = d;
    } else {
      foreign += d;
      if (d > 50) busiest.push([`${name} ${pid}`, d]);
    }
  }
  return {
    ...result,
    generator,
    cpu_us_per_req: result.requests ? Math.round((contenderMs * 1000) / result.requests) : Number.NaN,
    cpu: {
      contender_ms: contenderMs,
      upstream_ms: upstreamMs,
      loadgen_ms: Math.round(loadgenMs),
      foreign_ms: Math.round(foreign),
      ...(busiest.length ? { foreign_top: busiest.sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n, d]) => `${n}: ${d} ms`) } : {}),
      kernel_ms: Math.max(0, Math.round(busy - contenderMs - upstreamMs - loadgenMs - selfMs - foreign)),
      machine_busy_pct: Math.round((100 * busy) / Math.max(1, m1.totalMs - m0.totalMs)),
    },
  };
}

async function runBunClient(t: Target, s: Scenario, seconds: number, tools: Tools): Promise<{ result: LoadResult; cpuMs: number }> {
  const args = [tools.bun, join(tools.root, 'bench/load.ts'), '--url', t.url, '--model', s.model, '--c', String(s.c), '--seconds', String(seconds)];
  if (s.stream) args.push('--stream');
  for (const [k, v] of Object.entries(t.headers)) args.push('--header', `${k}: ${v}`);
  const proc = Bun.spawn(args, { stdout: 'pipe', stderr: 'pipe' });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`load client failed (${code}): ${err.slice(0, 300)}`);
  return { result: JSON.parse(out.trim().split('\n').pop()!) as LoadResult, cpuMs: cpuOf(proc) };
}
