/**
 * Processes the bench starts: each in its own process group (so a contender's workers stop
 * with it), with its RSS and CPU time read from /proc, and stopped by its own id on exit.
 */
import { readFileSync, readdirSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Started {
  name: string;
  proc: Bun.Subprocess;
  pid: number;
  /** performance.now() just before spawn. */
  spawnedAt: number;
  log: string;
  stop(): Promise<void>;
}

const live = new Set<Started>();

/** Starts `cmd` in a new process group; stdout and stderr go to `log`. */
export function start(name: string, cmd: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; log: string }): Started {
  const fd = openSync(opts.log, 'a');
  const spawnedAt = performance.now();
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdin: 'ignore', stdout: fd, stderr: fd, detached: true });
  closeSync(fd);
  const s: Started = {
    name,
    proc,
    pid: proc.pid,
    spawnedAt,
    log: opts.log,
    async stop() {
      live.delete(s);
      signalGroup(proc.pid, 'SIGTERM');
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
      // Workers of a stopped master (nginx, uvicorn) may linger; the group goes down with it.
      signalGroup(proc.pid, 'SIGKILL');
      if (!exited) await proc.exited;
    },
  };
  live.add(s);
  return s;
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // the group is already gone
  }
}

/** Stops everything this process started (on exit, Ctrl-C or a crash). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop()));
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const s of live) signalGroup(s.pid, 'SIGKILL');
    process.exit(130);
  });
}
process.once('exit', () => {
  for (const s of live) signalGroup(s.pid, 'SIGKILL');
});

/** A free loopback port (bound and released; a small race that is fine on a quiet machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The pid and every descendant of it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = readStat(Number(d));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(d));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(root);
  return out;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function readStat(pid: number): { ppid: number; cpuMs: number; name: string } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces and parentheses.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS, name: s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')) };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) of a process tree, ms; includes reaped children's time. */
export function treeCpuMs(pids: number[]): number {
  let ms = 0;
  for (const p of pids) {
    try {
      const s = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      ms += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
    } catch {
      // exited
    }
  }
  return ms;
}

export interface Rss {
  mb: number;
  /** Anonymous memory (heaps): what the process allocated. */
  anonMb: number;
  /** File-backed pages (the mapped executable and libraries) that were touched. */
  fileMb: number;
}

/** Current RSS of a process tree. */
export function treeRss(pids: number[]): Rss {
  let anon = 0;
  let file = 0;
  let total = 0;
  for (const p of pids) {
    const s = statusText(p);
    total += kb(s, 'VmRSS');
    anon += kb(s, 'RssAnon');
    file += kb(s, 'RssFile') + kb(s, 'RssShmem');
  }
  return { mb: total / 1024, anonMb: anon / 1024, fileMb: file / 1024 };
}

function statusText(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

const kb = (status: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);

/**
 * Samples a process tree's RSS every `everyMs` and keeps the peak: for a master with workers
 * the sum at one instant, which the per-process high-water marks would overstate. For a single
 * process the kernel's high-water mark (VmHWM) catches peaks between samples.
 */
export function rssSampler(root: number, everyMs = 100) {
  let pids = processTree(root);
  let peak: Rss = treeRss(pids);
  let n = 0;
  const sample = () => {
    const now = treeRss(pids);
    if (now.mb > peak.mb) peak = now;
  };
  const timer = setInterval(() => {
    if (++n % 10 === 0) pids = processTree(root);
    sample();
  }, everyMs);
  return {
    pids: () => pids,
    refresh: () => {
      pids = processTree(root);
      sample();
    },
    peak: (): Rss => {
      const hwm = pids.length === 1 ? kb(statusText(pids[0]!), 'VmHWM') / 1024 : 0;
      return hwm > peak.mb ? { ...peak, mb: hwm } : peak;
    },
    stop: () => clearInterval(timer),
  };
}

/** Polls `probe` every `everyMs` until it returns true; the time from `since`, ms. */
export async function waitUntil(probe: () => Promise<boolean>, opts: { since: number; timeoutMs: number; everyMs?: number; alive?: () => boolean }): Promise<number> {
  const deadline = opts.since + opts.timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return performance.now() - opts.since;
    if (opts.alive && !opts.alive()) throw new Error('the process exited before it answered');
    if (performance.now() > deadline) throw new Error(`no answer within ${opts.timeoutMs} ms`);
    await Bun.sleep(opts.everyMs ?? 2);
  }
}

/** Busy, interrupt and total time of the whole machine (all cores), ms. */
export function machineCpu(): { busyMs: number; irqMs: number; totalMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  // user nice system idle iowait irq softirq steal
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3]! + v[4]!;
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busyMs: (total - idle) * TICK_MS, irqMs: (v[5]! + v[6]!) * TICK_MS, totalMs: total * TICK_MS };
}

/** CPU time of every user-space process now (kernel threads left out), pid → ms and name. */
export function userProcessesCpu(): Map<number, { ms: number; name: string }> {
  const out = new Map<number, { ms: number; name: string }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const pid = Number(d);
    const st = readStat(pid);
    // Kernel threads are children of kthreadd (pid 2); their time (kworkers, ksoftirqd) is the kernel's share.
    if (!st || pid === 2 || st.ppid === 2) continue;
    out.set(pid, { ms: st.cpuMs, name: st.name });
  }
  return out;
}

/** % of one core that processes outside `ours` used over the next `windowMs`. */
export async function foreignCpuPct(ours: Set<number>, windowMs = 250): Promise<number> {
  const a = userProcessesCpu();
  await Bun.sleep(windowMs);
  const b = userProcessesCpu();
  let ms = 0;
  for (const [pid, { ms: now }] of b) if (!ours.has(pid)) ms += now - (a.get(pid)?.ms ?? now);
  return (100 * ms) / windowMs;
}
