/**
 * A CPU profile of tollgate under JSON c=10 load: the gateway run from source with
 * `bun --cpu-prof` (readable function names) and the same config as the `tollgate` contender
 * (virtual key, default policies, budget, usage ledger, log level info), loaded by wrk.
 * Only samples taken while the measured load ran are counted; the summary goes to
 * bench/results/profile.md and the raw profile to bench/results/tmp/ (for Chrome DevTools).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Contender } from './contenders/index.ts';
import { runLoad, type LoadResult } from './load.ts';
import { freePort, start, waitUntil } from './lib/proc.ts';
import { round } from './lib/stats.ts';
import { runWrk, wrkScript } from './wrk.ts';
import { INSTANT } from './scenarios.ts';

export interface ProfileRow {
  function: string;
  location: string;
  self_pct: number;
  total_pct: number;
}

export interface ProfileSummary {
  how: string;
  /** Seconds of load before the profiled window. */
  warmup_s: number;
  load: LoadResult;
  samples: number;
  interval_us: number;
  top: ProfileRow[];
  inclusive_src: ProfileRow[];
  areas: { area: string; self_pct: number }[];
  /** The commonest call paths into the top self-time functions, innermost frame first. */
  stacks: { function: string; pct: number; path: string[] }[];
  /** Statements libSQL ran during the measured load, per request. */
  sql?: { sql: string; per_1k_requests: number; ms_per_request: number; us_per_call: number; max_ms: number }[];
  /** Share of samples in the SQL counter itself (bench/lib/sql-trace.ts). */
  trace_overhead_pct: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const INTERVAL_US = 250;

export async function profileTollgate(o: { root: string; /** The sources the binary was built from. */ src: string; work: string; bun: string; wrk?: string; log: (m: string) => void; resultsDir: string; tollgate: Contender; warmupSeconds?: number; seconds?: number }): Promise<ProfileSummary | undefined> {
  const seconds = o.seconds ?? 8;
  const dir = join(o.work, 'run', 'profile');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const launch = await o.tollgate.launch(port, dir);
  // Same config and key as the compiled contender, but the gateway runs from source under the profiler.
  const sqlTrace = join(dir, 'sql-trace.json');
  const cmd = [o.bun, '--cpu-prof', `--cpu-prof-interval=${INTERVAL_US}`, `--cpu-prof-dir=${dir}`, '--preload', join(o.root, 'bench/lib/sql-trace.ts'), join(o.src, 'main.ts'), ...launch.cmd.slice(1)];
  const headers = launch.headers ?? o.tollgate.headers;
  const url = `http://127.0.0.1:${port}${o.tollgate.path}`;
  o.log(`profiling tollgate from source: ${seconds} s of JSON c=10`);
  const p = start('tollgate-profile', cmd, { cwd: launch.cwd, env: { BENCH_SQL_TRACE: sqlTrace }, log: join(dir, 'process.log') });
  try {
    await waitUntil(async () => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: INSTANT, messages: [{ role: 'user', content: 'hi' }] }) })).status === 200, { since: p.spawnedAt, timeoutMs: 30_000, alive: () => p.proc.exitCode === null });
    const load = async (s: number): Promise<LoadResult> => {
      if (o.wrk) return (await runWrk({ wrk: o.wrk, script: wrkScript(dir, INSTANT, headers), url, concurrency: 10, seconds: s })).result;
      return runLoad({ url, model: INSTANT, stream: false, concurrency: 10, durationMs: s * 1000, headers });
    };
    await load(o.warmupSeconds ?? 2);
    process.kill(p.pid, 'SIGUSR2'); // zero the SQL counters
    const from = Date.now() * 1000;
    const result = await load(seconds);
    const to = Date.now() * 1000;
    await p.stop();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('bun wrote no .cpuprofile');
    mkdirSync(join(o.resultsDir, 'tmp'), { recursive: true });
    copyFileSync(join(dir, file), join(o.resultsDir, 'tmp', 'tollgate.cpuprofile'));
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const summary = summarise(profile, from, to, [dirname(o.src), o.root], result, o.warmupSeconds ?? 2);
    summary.sql = sqlSummary(sqlTrace, result.requests);
    writeFileSync(join(o.resultsDir, 'profile.md'), profileMarkdown(summary, relative(o.root, join(o.resultsDir, 'tmp', 'tollgate.cpuprofile'))));
    return summary;
  } catch (e) {
    o.log(`profile failed: ${String(e).slice(0, 300)}`);
    await p.stop();
    return undefined;
  }
}

function sqlSummary(file: string, requests: number): ProfileSummary['sql'] {
  try {
    const rows = JSON.parse(readFileSync(file, 'utf8')) as { sql: string; calls: number; ms: number; maxMs: number }[];
    return rows
      .filter((r) => r.calls)
      .sort((a, b) => b.ms - a.ms)
      .map((r) => ({ sql: r.sql, per_1k_requests: round((1000 * r.calls) / requests, 1), ms_per_request: round(r.ms / requests, 4), us_per_call: round((1000 * r.ms) / r.calls, 0), max_ms: round(r.maxMs, 2) }));
  } catch {
    return undefined;
  }
}

/** Self and inclusive time per function over the samples taken in [from, to] (epoch µs). */
export function summarise(p: CpuProfile, from: number, to: number, roots: string[], load: LoadResult, warmupS = 0): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (id: number) => {
    const f = byId.get(id)!.callFrame;
    const url = f.url.replace(/^file:\/\//, '');
    const base = roots.find((r) => url.startsWith(r + '/'));
    const loc = url ? `${base ? relative(base, url) : url}:${f.lineNumber + 1}` : '(native)';
    return { fn: f.functionName || '(anonymous)', loc };
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const paths = new Map<string, Map<string, number>>();
  const areas = new Map<string, number>();
  let t = p.startTime;
  let n = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    if (t < from || t > to) continue;
    n++;
    const id = p.samples[i]!;
    const k = keyOf(id);
    const key = `${k.fn}\t${k.loc}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    areas.set(areaOf(k.fn, k.loc), (areas.get(areaOf(k.fn, k.loc)) ?? 0) + 1);
    const path: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined && path.length < 14; cur = parent.get(cur)) {
      const c = keyOf(cur);
      if (c.fn !== '(root)') path.push(`${c.fn} ${c.loc}`);
    }
    const byPath = paths.get(key) ?? new Map<string, number>();
    byPath.set(path.join('\n'), (byPath.get(path.join('\n')) ?? 0) + 1);
    paths.set(key, byPath);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = keyOf(cur);
      const ck = `${c.fn}\t${c.loc}`;
      if (seen.has(ck)) continue;
      seen.add(ck);
      total.set(ck, (total.get(ck) ?? 0) + 1);
    }
  }
  const pct = (x: number) => round((100 * x) / Math.max(1, n), 1);
  const row = (key: string): ProfileRow => {
    const [fn, loc] = key.split('\t') as [string, string];
    return { function: fn, location: loc, self_pct: pct(self.get(key) ?? 0), total_pct: pct(total.get(key) ?? 0) };
  };
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k]) => row(k));
  const inclusive = [...total.entries()].filter(([k]) => k.includes('\tsrc/')).sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k]) => row(k));
  const stacks = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .flatMap(([k]) =>
      [...paths.get(k)!.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .filter(([, c]) => pct(c) >= 0.2)
        .map(([path, c]) => ({ function: k.split('\t')[0]!, pct: pct(c), path: path.split('\n') })),
    );
  const traceSelf = [...self.entries()].filter(([k]) => k.includes('\tbench/lib/sql-trace.ts')).reduce((a, [, c]) => a + c, 0);
  return {
    stacks,
    trace_overhead_pct: pct(traceSelf),
    warmup_s: warmupS,
    how: 'bun --cpu-prof (JSC sampling profiler) on `bun src/main.ts serve` (the sources the measured binary was built from), same config as the tollgate contender, wrk JSON c=10',
    load,
    samples: n,
    interval_us: INTERVAL_US,
    top,
    inclusive_src: inclusive,
    areas: [...areas.entries()].sort((a, b) => b[1] - a[1]).map(([area, c]) => ({ area, self_pct: pct(c) })),
  };
}

function areaOf(fn: string, loc: string): string {
  if (fn.startsWith('opa.wasm')) return 'policy (opa-wasm code)';
  if (fn.startsWith('libsql_js')) return 'libSQL native (statements)';
  const m = /^(src\/[^/:]+)|node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(loc);
  if (m) return m[1] ?? m[2]!;
  if (fn === '(program)' || fn === '(garbage collector)' || fn === '(idle)') return fn;
  return 'Bun / JSC built-ins (fetch, streams, JSON, …)';
}

function profileMarkdown(s: ProfileSummary, raw: string): string {
  const t = (rows: ProfileRow[], cols: 'self' | 'total') => [
    `| ${cols === 'self' ? 'self %' : 'total %'} | ${cols === 'self' ? 'total %' : 'self %'} | function | where |`,
    '|--:|--:|---|---|',
    ...rows.map((r) => `| ${cols === 'self' ? r.self_pct : r.total_pct} | ${cols === 'self' ? r.total_pct : r.self_pct} | \`${r.function}\` | ${r.location} |`),
  ];
  return [
    '# Tollgate CPU profile under load',
    '',
    `${s.how}. ${s.samples} samples at ${s.interval_us} µs, taken only while the measured load ran (start-up and ${s.warmup_s} s of warm-up load excluded, so JIT tiering has settled). ` +
      `Under the profiler the gateway served ${s.load.rps} req/s (p50 ${s.load.p50_ms} ms, p99 ${s.load.p99_ms} ms, ${s.load.errors} errors); it runs from source, so the numbers are a little below the compiled binary's. ` +
      `The SQL counter itself took ${s.trace_overhead_pct}% of the samples. Self time is where the sample landed; total time counts a function once per sample when it is anywhere on the stack. Native functions (fetch, libSQL, wasm) appear by name with their JS caller above them; "(native)" rows have no source, and an \`(anonymous)\` native frame with nothing above it is runtime work outside any JS call (HTTP parsing and socket I/O in Bun's server, promise jobs, GC).`,
    '',
    `Raw profile (open in Chrome DevTools → Performance, or VS Code): \`${raw}\` (gitignored; \`npm run bench\` rewrites it).`,
    '',
    '## Where the time goes, by area (self time)',
    '',
    '| self % | area |',
    '|--:|---|',
    ...s.areas.map((a) => `| ${a.self_pct} | ${a.area} |`),
    '',
    '## Top functions by self time',
    '',
    ...t(s.top, 'self'),
    '',
    '## Tollgate functions by total time (src/ only)',
    '',
    'An async function\'s total covers only the synchronous stretch after each resumption: libSQL work started from an awaited call often shows under the library frames, not under the src/ function that awaited it. The SQL section below names the statements.',
    '',
    ...t(s.inclusive_src, 'total'),
    '',
    '## Commonest call paths into the top functions',
    '',
    'Innermost frame first; % of all samples in the window.',
    '',
    ...s.stacks.flatMap((st) => [`- **${st.pct}%** \`${st.function}\``, '', '  ```', ...st.path.map((f) => `  ${f}`), '  ```', '']),
    ...(s.sql
      ? [
          '## SQL statements per request',
          '',
          `Counted by a preload (bench/lib/sql-trace.ts) that wraps libsql's prepare and run/all; "blocks" is the time prepare + run held the event loop (libSQL runs file databases synchronously; BEGIN and COMMIT around each batch are listed on their own), per request, over ${s.load.requests} requests.`,
          '',
          '| calls / 1k requests | blocks ms / request | µs / call | longest call ms | statement |',
          '|--:|--:|--:|--:|---|',
          ...s.sql.slice(0, 15).map((r) => `| ${r.per_1k_requests} | ${r.ms_per_request} | ${r.us_per_call} | ${r.max_ms} | \`${r.sql.replace(/\|/g, '\\|')}\` |`),
          '',
          `Total: ${round(s.sql.reduce((a, r) => a + r.per_1k_requests, 0) / 1000, 3)} calls and ${round(s.sql.reduce((a, r) => a + r.ms_per_request, 0), 3)} ms of blocked event loop per request. A long single call stalls every request in flight at that moment: the "longest call" column shows in p99, not in the average.`,
          '',
        ]
      : []),
  ].join('\n');
}
