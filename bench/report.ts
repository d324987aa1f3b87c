/**
 * Turns the trials into medians, checks Tollgate's targets, and writes bench/results/latest.md,
 * latest.json and the chart.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from './chart.ts';
import type { Environment } from './lib/env.ts';
import type { CaseResult } from './lib/measure.ts';
import { median, round } from './lib/stats.ts';
import type { ProfileSummary } from './profile.ts';
import { SCENARIOS, type Scenario } from './scenarios.ts';
import { CONTENDER_NAMES, type Unavailable } from './contenders/index.ts';

export interface TrialRecord {
  contender: string;
  trial: number;
  cold_start_ms: number;
  rss_idle_mb: number;
  peak_rss_mb: number;
  peak_rss_anon_mb: number;
  peak_rss_file_mb: number;
  /** Modes ('json', 'stream') whose answers were wrong in this trial, and why; their cases were skipped. */
  broken: Record<string, string>;
  /** What the contender's own check found after the trial (e.g. ledger rows). */
  verified?: string;
  cases: Record<string, CaseResult>;
}

export interface RunData {
  env: Environment;
  method: { trials: number; seconds_per_case: number; warmup_seconds: number; seed: number; generators: { json: string; stream: string } };
  tollgate_binary: { path: string; bytes: number; build: string };
  contenders: { name: string; describe: string; version: string }[];
  unavailable: Unavailable[];
  scenarios: Scenario[];
  trials: TrialRecord[];
  profile?: ProfileSummary;
  /** engine.evaluate of the default policies (bench/policy-eval.ts), µs. */
  policy_eval?: { n: number; p50_us: number; p99_us: number };
  /** HEAD when the run ended: other engineers commit while it runs. */
  git_at_end?: { commit: string; dirty: boolean };
  elapsed_s: number;
}

const METRICS = ['rps', 'p50_ms', 'p99_ms', 'ttft_p50_ms', 'ttft_p99_ms', 'gap_p50_ms', 'gap_p99_ms', 'merged_pct', 'cpu_us_per_req'] as const;
type Metric = (typeof METRICS)[number];
export type CaseMedians = Partial<Record<Metric, number>> & { errors: number; requests: number; rps_min: number; rps_max: number; trials: number; machine_busy_pct: number; loadgen_cpu_pct: number; foreign_cpu_pct: number; kernel_cpu_pct: number };
export interface ContenderMedians {
  cold_start_ms: number;
  peak_rss_mb: number;
  peak_rss_anon_mb: number;
  peak_rss_file_mb: number;
  rss_idle_mb: number;
  broken: Record<string, string>;
  cases: Record<string, CaseMedians>;
}

export function aggregate(data: RunData): Record<string, ContenderMedians> {
  const out: Record<string, ContenderMedians> = {};
  for (const c of data.contenders) {
    const rows = data.trials.filter((t) => t.contender === c.name);
    if (!rows.length) continue;
    const cases: Record<string, CaseMedians> = {};
    for (const s of data.scenarios) {
      const rs = rows.map((r) => r.cases[s.id]).filter((x): x is CaseResult => !!x);
      if (!rs.length) continue;
      const m: CaseMedians = {
        errors: rs.reduce((a, r) => a + r.errors, 0),
        requests: rs.reduce((a, r) => a + r.requests, 0),
        rps_min: Math.min(...rs.map((r) => r.rps)),
        rps_max: Math.max(...rs.map((r) => r.rps)),
        trials: rs.length,
        machine_busy_pct: median(rs.map((r) => r.cpu.machine_busy_pct)),
        loadgen_cpu_pct: round(median(rs.map((r) => (100 * r.cpu.loadgen_ms) / (r.seconds * 1000))), 0),
        foreign_cpu_pct: round(median(rs.map((r) => (100 * r.cpu.foreign_ms) / (r.seconds * 1000))), 0),
        kernel_cpu_pct: round(median(rs.map((r) => (100 * r.cpu.kernel_ms) / (r.seconds * 1000))), 0),
      };
      for (const k of METRICS) {
        const v = rs.map((r) => r[k]).filter((x): x is number => typeof x === 'number');
        if (v.length) m[k] = round(median(v), k === 'rps' || k === 'cpu_us_per_req' ? 0 : 3);
      }
      cases[s.id] = m;
    }
    out[c.name] = {
      cold_start_ms: round(median(rows.map((r) => r.cold_start_ms)), 1),
      peak_rss_mb: round(median(rows.map((r) => r.peak_rss_mb)), 0),
      peak_rss_anon_mb: round(median(rows.map((r) => r.peak_rss_anon_mb)), 0),
      peak_rss_file_mb: round(median(rows.map((r) => r.peak_rss_file_mb)), 0),
      broken: Object.assign({}, ...rows.map((r) => r.broken)),
      rss_idle_mb: round(median(rows.map((r) => r.rss_idle_mb)), 0),
      cases,
    };
  }
  return out;
}

export interface TargetResult {
  target: string;
  measured: string;
  met: boolean | undefined;
}

export function checkTargets(agg: Record<string, ContenderMedians>, binaryBytes?: number, policyEval?: RunData['policy_eval']): TargetResult[] {
  const t = agg.tollgate;
  const g = (name: string, id: string, k: Metric) => agg[name]?.cases[id]?.[k];
  const res: TargetResult[] = [];
  const add = (target: string, measured: string | undefined, met: boolean | undefined) => res.push({ target, measured: measured ?? 'not measured', met: measured === undefined ? undefined : met });
  if (!t) {
    add('every target', undefined, undefined);
    return res;
  }
  const tRps = g('tollgate', 'json-c10', 'rps');
  const bRps = g('bun-passthrough', 'json-c10', 'rps');
  const pRps = g('portkey', 'json-c10', 'rps');
  add('throughput, JSON c=10 ≥ 50% of bun-passthrough', tRps && bRps ? `${tRps} vs ${bRps} req/s = ${pctOf(tRps, bRps)}` : undefined, !!tRps && !!bRps && tRps >= 0.5 * bRps);
  add('throughput, JSON c=10 ≥ 2× portkey (Bun)', tRps && pRps ? `${tRps} vs ${pRps} req/s = ${(tRps / pRps).toFixed(2)}×` : undefined, !!tRps && !!pRps && tRps >= 2 * pRps);
  const added = diff(g('tollgate', 'json-c1', 'p50_ms'), g('direct', 'json-c1', 'p50_ms'));
  add('added p50 over direct, JSON c=1 ≤ 0.15 ms', added === undefined ? undefined : `${signed(added)} ms (${fmtMs(g('tollgate', 'json-c1', 'p50_ms')!)} vs ${fmtMs(g('direct', 'json-c1', 'p50_ms')!)})`, added !== undefined && added <= 0.15);
  const p99 = g('tollgate', 'json-c10', 'p99_ms');
  add('p99, JSON c=10 ≤ 3 ms', p99 === undefined ? undefined : `${fmtMs(p99)} ms`, p99 !== undefined && p99 <= 3);
  const tsRps = g('tollgate', 'stream-c10', 'rps');
  const psRps = g('portkey', 'stream-c10', 'rps');
  add('throughput, stream c=10 ≥ 10× portkey (Bun)', tsRps && psRps ? `${tsRps} vs ${psRps} req/s = ${(tsRps / psRps).toFixed(1)}×` : undefined, !!tsRps && !!psRps && tsRps >= 10 * psRps);
  const ttft = diff(g('tollgate', 'stream-c1', 'ttft_p50_ms'), g('direct', 'stream-c1', 'ttft_p50_ms'));
  add('added time to first token, p50, stream c=1 ≤ 0.5 ms', ttft === undefined ? undefined : `${signed(ttft)} ms (${fmtMs(g('tollgate', 'stream-c1', 'ttft_p50_ms')!)} vs ${fmtMs(g('direct', 'stream-c1', 'ttft_p50_ms')!)})`, ttft !== undefined && ttft <= 0.5);
  const merged = diff(g('tollgate', 'stream-paced-c64', 'merged_pct'), g('direct', 'stream-paced-c64', 'merged_pct'));
  const gap = diff(g('tollgate', 'stream-paced-c64', 'gap_p50_ms'), g('direct', 'stream-paced-c64', 'gap_p50_ms'));
  add(
    'chunks neither merged nor delayed (paced stream, c=64: merged ≤ direct + 1 point, gap p50 ≤ direct + 1 ms)',
    merged === undefined || gap === undefined ? undefined : `merged ${g('tollgate', 'stream-paced-c64', 'merged_pct')}% (direct ${g('direct', 'stream-paced-c64', 'merged_pct')}%), gap p50 ${signed(gap)} ms (${fmtMs(g('tollgate', 'stream-paced-c64', 'gap_p50_ms'))} vs ${fmtMs(g('direct', 'stream-paced-c64', 'gap_p50_ms'))})`,
    merged !== undefined && gap !== undefined && merged <= 1 && gap <= 1,
  );
  add('peak RSS under load ≤ 150 MB', `${t.peak_rss_mb} MB`, t.peak_rss_mb <= 150);
  // Measured elsewhere (a test asserts it), so the list stays the whole list: "not measured" here.
  add('peak RSS with 16 concurrent 10 MB bodies ≤ 300 MB (test/hostile/large-bodies.test.ts asserts it)', undefined, undefined);
  const pe = policyEval;
  add('policy evaluation p50 ≤ 20 µs, p99 ≤ 60 µs (bun bench/policy-eval.ts)', pe && `p50 ${pe.p50_us} µs, p99 ${pe.p99_us} µs`, !!pe && pe.p50_us <= 20 && pe.p99_us <= 60);
  add('cold start (spawn to first 200) ≤ 200 ms', `${t.cold_start_ms} ms`, t.cold_start_ms <= 200);
  if (binaryBytes !== undefined) add('binary ≤ 120 MB (120,000,000 bytes)', `${binaryBytes.toLocaleString('en-US')} bytes`, binaryBytes <= 120_000_000);
  const tCpu = g('tollgate', 'json-c10', 'cpu_us_per_req');
  const bCpu = g('bun-passthrough', 'json-c10', 'cpu_us_per_req');
  add('CPU per request, JSON c=10 ≤ 2× bun-passthrough', tCpu && bCpu ? `${tCpu} vs ${bCpu} µs = ${(tCpu / bCpu).toFixed(1)}×` : undefined, !!tCpu && !!bCpu && tCpu <= 2 * bCpu);
  return res;
}

/** One line per ratio, the same wording every run, so runs on different machines compare line by line. */
export function ratioLines(agg: Record<string, ContenderMedians>): string[] {
  const g = (name: string, id: string, k: Metric) => agg[name]?.cases[id]?.[k];
  const ratio = (a: number | undefined, b: number | undefined, digits = 2) => (a && b ? (a / b).toFixed(digits) : 'not measured');
  return [
    `- tollgate/bun-passthrough req/s, JSON c=10: ${ratio(g('tollgate', 'json-c10', 'rps'), g('bun-passthrough', 'json-c10', 'rps'))}`,
    `- tollgate/portkey req/s, JSON c=10: ${ratio(g('tollgate', 'json-c10', 'rps'), g('portkey', 'json-c10', 'rps'))}`,
    `- tollgate/portkey req/s, stream c=10: ${ratio(g('tollgate', 'stream-c10', 'rps'), g('portkey', 'stream-c10', 'rps'), 1)}`,
    `- tollgate/bun-passthrough CPU µs per request, JSON c=10: ${ratio(g('tollgate', 'json-c10', 'cpu_us_per_req'), g('bun-passthrough', 'json-c10', 'cpu_us_per_req'), 1)}`,
  ];
}

const diff = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : round(a - b, 3));
const pctOf = (a: number, b: number) => `${Math.round((100 * a) / b)}%`;

export function fmtMs(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return a < 1 ? x.toFixed(3) : a < 10 ? x.toFixed(2) : a < 1000 ? x.toFixed(1) : x.toFixed(0);
}

/** Other users' processes busier than this, in % of one core, mark a case as noisy. */
const NOISY_PCT = 25;

const signed = (x: number | undefined) => (x === undefined ? '–' : `${x >= 0 ? '+' : ''}${fmtMs(x)}`);

function order(agg: Record<string, ContenderMedians>): string[] {
  return CONTENDER_NAMES.filter((n) => agg[n]);
}

function caseTable(agg: Record<string, ContenderMedians>, ids: string[], stream: boolean, withC: boolean): string[] {
  const head = stream
    ? ['contender', ...(withC ? ['c'] : []), 'req/s', 'spread', 'p50 ms', 'p99 ms', '+p50 vs direct', 'TTFT p50', 'TTFT p99', '+TTFT p50', 'gap p50', 'gap p99', 'merged %', 'CPU µs/req', 'errors']
    : ['contender', ...(withC ? ['c'] : []), 'req/s', 'spread', 'p50 ms', 'p99 ms', '+p50 vs direct', '+p99 vs direct', 'CPU µs/req', 'errors'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h) => (h === 'contender' ? '---' : '--:')).join('|')}|`];
  for (const id of ids) {
    const s = SCENARIOS.find((x) => x.id === id)!;
    const d = agg.direct?.cases[id];
    for (const name of order(agg)) {
      const m = agg[name]!.cases[id];
      if (!m) continue;
      const spread = m.rps ? `±${Math.round((50 * (m.rps_max - m.rps_min)) / m.rps)}%` : '–';
      const noisy = m.foreign_cpu_pct > NOISY_PCT ? ' ⚠' : '';
      const base = [name === 'tollgate' ? '**tollgate**' : name, ...(withC ? [String(s.c)] : []), `${m.rps}${noisy}`, spread, fmtMs(m.p50_ms), fmtMs(m.p99_ms), name === 'direct' ? '' : signed(diff(m.p50_ms, d?.p50_ms))];
      const tail = [String(m.cpu_us_per_req ?? '–'), m.errors ? `**${m.errors}**` : '0'];
      const row = stream
        ? [...base, fmtMs(m.ttft_p50_ms), fmtMs(m.ttft_p99_ms), name === 'direct' ? '' : signed(diff(m.ttft_p50_ms, d?.ttft_p50_ms)), fmtMs(m.gap_p50_ms), fmtMs(m.gap_p99_ms), String(m.merged_pct ?? '–'), ...tail]
        : [...base, name === 'direct' ? '' : signed(diff(m.p99_ms, d?.p99_ms)), ...tail];
      lines.push(`| ${row.join(' | ')} |`);
    }
  }
  return lines;
}

export function markdown(data: RunData, agg: Record<string, ContenderMedians>, targets: TargetResult[]): string {
  const e = data.env;
  const share = (k: 'foreign_ms' | 'kernel_ms' | 'loadgen_ms') => data.trials.flatMap((t) => Object.values(t.cases).map((c) => (100 * c.cpu[k]) / (c.seconds * 1000)));
  const maxForeign = Math.round(Math.max(0, ...share('foreign_ms')));
  const allCases = data.trials.flatMap((t) => Object.values(t.cases));
  const remeasured = allCases.filter((c) => c.remeasured).length;
  const names = order(agg);
  const md: string[] = [];
  md.push('# Tollgate against other gateways', '');
  const moved = data.git_at_end && data.git_at_end.commit !== e.git.commit ? ` HEAD moved to \`${data.git_at_end.commit}\` during the run; every Tollgate number here is from the snapshot of the tree taken at the start (binary and profile alike).` : '';
  md.push(
    `Run ${e.date.slice(0, 16).replace('T', ' ')} UTC on commit \`${e.git.commit}\`${e.git.dirty ? ' with uncommitted edits in src/ (the tree as it was, snapshot and built at the start of the run)' : ''}, by \`npm run bench\` in ${(data.elapsed_s / 60).toFixed(1)} min.${moved} Raw numbers: [latest.json](latest.json); chart: [latest.png](latest.png); Tollgate's CPU profile: [profile.md](profile.md).`,
    '',
  );
  md.push(
    `**Environment.** ${e.nproc} cores (${e.cpu}), ${e.memory_gb} GB, Linux ${e.kernel}; Bun ${e.bun}, Node ${e.node}, Python ${e.python}. ` +
      `Everything runs on these ${e.nproc} cores at once: the contender, the mock upstream (Bun, one process) and the load generator, so the generator takes CPU the contender could have used ` +
      `(per case in latest.json as \`loadgen_cpu_pct\`, in % of one core; wrk needs far less than the Bun client). Nothing is pinned. Loopback only. Load average at start ${e.loadavg_at_start.join(' ')}; ` +
      `other people's processes on this shared machine (test runs, builds) used at most ${maxForeign}% of a core during a case. ` +
      `A case disturbed by more than ${NOISY_PCT}% of a core was measured again after the machine calmed down, keeping the quieter run (${remeasured} of ${allCases.length} cases); ⚠ marks a case whose median is still above ${NOISY_PCT}%.`,
    '',
  );
  md.push(
    `**Method.** Closed loop: each of c connections sends its next request when the previous answer is complete. Non-streaming cases use ${data.method.generators.json}; streams use the ${data.method.generators.stream}, which parses every SSE event and checks each answer (32 tokens and [DONE]). ` +
      `${data.method.trials} trials; in each, the contenders run one at a time in a shuffled order (seed ${data.method.seed}), each started fresh (cold start = spawn to the first 200 on a chat completion, polled every 2 ms), checked for correct answers, warmed up (${data.method.warmup_seconds} s JSON + stream at c=10), then every case for ${data.method.seconds_per_case} s in a shuffled order. ` +
      `Tables show the median over trials; "spread" is half the range of req/s over the trials. TTFT is the arrival of the first event with non-empty content (not the role chunk); "gap" is the time between consecutive token events; "merged" is the share of token events that came in the same read as the previous one. ` +
      `"+x vs direct" subtracts the median of the mock served directly. CPU µs/req is the contender's CPU (all its processes) per completed request, a figure less sensitive to the shared cores than req/s. Peak RSS is the largest sum of RSS over the contender's processes, sampled every 100 ms (and the kernel's high-water mark for single processes).`,
    '',
  );
  md.push('## Ratios (JSON c=10, medians of this run)', '', ...ratioLines(agg), '');
  md.push('## Targets (tollgate, this run)', '', '| target | measured | |', '|---|---|---|');
  for (const t of targets) md.push(`| ${t.target} | ${t.measured} | ${t.met === undefined ? 'not measured' : t.met ? 'met' : '**not met**'} |`);
  md.push('', `Binary: tollgate is ${(data.tollgate_binary.bytes / 1024 / 1024).toFixed(1)} MB (${data.tollgate_binary.bytes} bytes; ${data.tollgate_binary.build}).`, '');
  md.push('## Chat completions, no streaming (instant upstream)', '', ...caseTable(agg, ['json-c1', 'json-c10', 'json-c64'], false, true), '');
  md.push('## Chat completions, streaming (instant upstream: 35 events written back to back)', '', ...caseTable(agg, ['stream-c1', 'stream-c10', 'stream-c64'], true, true), '');
  md.push('With an instant upstream a whole stream usually lands in one read, so TTFT is close to the full answer and gaps are 0 for every contender; the paced case below is the one that shows merging and delays.', '');
  md.push('## Realistic upstream, c=64: 60 ms before the answer; streams then paced at 5 ms per chunk', '', '### No streaming', '', ...caseTable(agg, ['json-60ms-c64'], false, false), '', '### Streaming, paced', '', ...caseTable(agg, ['stream-paced-c64'], true, false), '');
  md.push(
    '## Memory and start-up',
    '',
    'Peak RSS splits into anonymous memory (heaps) and file-backed pages (the touched part of the executable and its libraries).',
    '',
    '| contender | peak RSS MB | anon / file MB | RSS after start MB | cold start ms | what runs |',
    '|---|--:|--:|--:|--:|---|',
  );
  for (const n of names) {
    const a = agg[n]!;
    md.push(`| ${n === 'tollgate' ? '**tollgate**' : n} | ${a.peak_rss_mb} | ${a.peak_rss_anon_mb} / ${a.peak_rss_file_mb} | ${a.rss_idle_mb} | ${a.cold_start_ms} | ${data.contenders.find((c) => c.name === n)?.describe ?? ''} |`);
  }
  const checks = data.trials.filter((t) => t.verified).sort((a, b) => a.contender.localeCompare(b.contender) || a.trial - b.trial);
  if (checks.length) {
    md.push('', 'Configuration checks, read from each contender\'s database after its trial:', '');
    for (const t of checks) md.push(`- ${t.contender}, trial ${t.trial}: ${t.verified}`);
  }
  const partial = names.filter((n) => Object.keys(agg[n]!.broken).length);
  if (data.unavailable.length || partial.length) {
    md.push('', '## Unavailable or partly measured', '');
    for (const u of data.unavailable) md.push(`- ${u.name}: unavailable: ${u.unavailable}`);
    for (const n of partial) for (const [mode, why] of Object.entries(agg[n]!.broken)) md.push(`- ${n}: ${mode === 'stream' ? 'streaming' : 'non-streaming'} cases not measured, its answers were wrong: ${why.slice(0, 300)}`);
  }
  md.push('', '## Chart', '', '![requests/s and p99 per contender](latest.png)', '');
  if (data.profile) md.push(`## Profile`, '', `Top self time of tollgate (from source, \`bun --cpu-prof\`) under JSON c=10 load; details in [profile.md](profile.md).`, '', ...data.profile.top.slice(0, 10).map((f) => `- ${f.self_pct}% ${f.function} (${f.location})`), '');
  md.push('## Reproduce', '', '```sh', 'npm run bench   # everything, under 10 min; installs nginx, wrk, librsvg2-bin (apt), Portkey (npm) and LiteLLM (pip) when missing', 'bun bench/run.ts --only direct,tollgate,tollgate-minimal --trials 1 --no-profile   # a quick look; see bench/README.md', '```', '');
  return md.join('\n');
}

export async function writeReport(data: RunData, dir: string, rsvg: string | undefined): Promise<void> {
  const agg = aggregate(data);
  const targets = checkTargets(agg, data.tollgate_binary.bytes, data.policy_eval);
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ ...data, medians: agg, targets }, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.md'), markdown(data, agg, targets));
  await renderChart(agg, order(agg), data, dir, rsvg);
}
