/**
 * `npm run bench`: Tollgate against direct, a bare Bun proxy, nginx, Portkey and LiteLLM, on
 * one mock upstream. Builds tollgate from a snapshot of the tree, installs missing contenders into bench/.work/, then
 * for each trial starts every contender fresh in a shuffled order, times its cold start, warms
 * it up and runs every case (in a shuffled order); medians go to bench/results/latest.{md,json}
 * and a chart, and a CPU profile of tollgate to bench/results/profile.md.
 *
 *   bun bench/run.ts [--trials 3] [--seconds 2] [--only tollgate,direct] [--seed N] [--no-build] [--no-profile]
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setUpContenders, type Contender, type Ctx, type Unavailable } from './contenders/index.ts';
import { runLoad } from './load.ts';
import { environment } from './lib/env.ts';
import { ensureApt, run } from './lib/install.ts';
import { runCase, type CaseResult, type Target, type Tools } from './lib/measure.ts';
import { foreignCpuPct, freePort, rssSampler, start, stopAll, waitUntil, type Started } from './lib/proc.ts';
import { rng, shuffle } from './lib/stats.ts';
import { writeReport, type RunData, type TrialRecord } from './report.ts';
import { profileTollgate } from './profile.ts';
import { INSTANT, SCENARIOS, type Scenario } from './scenarios.ts';

const { values: opt } = parseArgs({
  options: {
    trials: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '2' },
    /**
     * Load before a contender's cases: JSON at c=10 for this long, then streams for half of it.
     * 8 s, not 1: tollgate's optimising JIT compiles for ~10-15 s of load (its minimal config in
     * 4 s windows: 456, 311, 202, 270 µs per request), so 2 s cases after 1 s measured warm-up.
     * Every contender gets the same.
     */
    'warmup-seconds': { type: 'string', default: '8' },
    only: { type: 'string' },
    seed: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    /** The whole run's time budget: disturbed cases are re-measured only while it holds. */
    'budget-seconds': { type: 'string', default: '570' },
    out: { type: 'string', default: 'bench/results' },
  },
});

const root = resolve(import.meta.dir, '..');
const work = join(root, 'bench/.work');
const runDir = join(work, 'run');
const resultsDir = resolve(root, opt.out);
const began = performance.now();
const log = (msg: string) => console.log(`[${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
const trials = Number(opt.trials);
const seconds = Number(opt.seconds);
const warmupSeconds = Number(opt['warmup-seconds']);
/**
 * The policy engine's cost per request (bench/policy-eval.ts, engine.evaluate of the default
 * policies): run apart, after the contenders, on the sources under test.
 */
function measurePolicyEval(): RunData['policy_eval'] {
  const r = Bun.spawnSync([process.execPath, 'bench/policy-eval.ts', '--json', '--n', '20000'], { cwd: root, stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) {
    log(`policy-eval failed: ${r.stderr.toString().slice(-400)}`);
    return undefined;
  }
  const out = JSON.parse(r.stdout.toString()) as { n: number; rows: { name: string; p50_us: number; p99_us: number }[] };
  const row = out.rows.find((x) => x.name.startsWith('engine.evaluate ('));
  if (!row) return undefined;
  log(`policy evaluation p50 ${row.p50_us.toFixed(1)} µs, p99 ${row.p99_us.toFixed(1)} µs`);
  return { n: out.n, p50_us: Math.round(row.p50_us * 10) / 10, p99_us: Math.round(row.p99_us * 10) / 10 };
}

/**
 * The profile's warm-up: long enough for JSC's optimising tiers to settle. Under JSON c=10 the
 * gateway's JIT threads spend ~130 µs per request in the first 5 s, ~40 in the next 5 and ~5
 * after 15 s, so a profile after 2 s shows warm-up, not the steady state.
 */
const PROFILE_WARMUP_S = 15;
const seed = opt.seed ? Number(opt.seed) : Date.now() % 2 ** 31;
const random = rng(seed);
/** A case is re-measured once when processes that are not the bench's took more than this much of a core. */
const NOISY_PCT = 25;
const budgetMs = Number(opt['budget-seconds']) * 1000;
/** Contender-trials left, and the time the finished ones took: the projection for retries. */
const progress = { left: 0, done: 0, spentMs: 0 };

rmSync(runDir, { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });
mkdirSync(resultsDir, { recursive: true });

try {
  await main();
} finally {
  await stopAll();
}

async function main(): Promise<void> {
  const env = await environment(root);
  log(`${env.nproc} cores, ${env.cpu}, Bun ${env.bun}, Node ${env.node}, Python ${env.python}; load average ${env.loadavg_at_start.join(' ')}`);
  if (env.loadavg_at_start[0]! > 0.5) log('warning: the machine is busy before the bench starts; numbers will be noisy');

  const tollgate = await buildTollgate();
  const [wrk, rsvg] = await Promise.all([ensureApt('wrk', 'wrk'), ensureApt('rsvg-convert', 'librsvg2-bin')]);
  if (!wrk.ok) log(`wrk unavailable (${wrk.reason}); JSON cases use the Bun client`);

  const upstreamPort = await freePort();
  const bun = process.execPath;
  const upstream = start('upstream', [bun, join(root, 'bench/mock-upstream.ts'), '--port', String(upstreamPort)], { log: join(runDir, 'upstream.log') });
  await waitUntil(() => probe(`http://127.0.0.1:${upstreamPort}/v1/chat/completions`, {}), { since: upstream.spawnedAt, timeoutMs: 10_000, alive: () => upstream.proc.exitCode === null });
  const ctx: Ctx = { root, work, upstreamHost: `127.0.0.1:${upstreamPort}`, bun, cores: env.nproc };

  log('setting up contenders (installs what is missing)');
  const only = opt.only ? new Set(opt.only.split(',')) : undefined;
  const all = await setUpContenders(ctx, tollgate, only);
  const unavailable = all.filter((c): c is Unavailable => 'unavailable' in c);
  for (const u of unavailable) log(`${u.name}: unavailable: ${u.unavailable}`);
  let contenders = all.filter((c): c is Contender => !('unavailable' in c));

  const tools: Tools = { bun, root, wrk: wrk.ok ? wrk.path : undefined, scratch: runDir };
  const records: TrialRecord[] = [];
  progress.left = trials * contenders.length;
  for (let trial = 1; trial <= trials; trial++) {
    const order = shuffle(contenders, random);
    log(`trial ${trial}/${trials}: ${order.map((c) => c.name).join(', ')}`);
    for (const c of order) {
      const t0 = performance.now();
      try {
        records.push(verify(c, join(runDir, `t${trial}`, c.name), await runTrial(c, trial, upstream, tools)));
        progress.done++;
        progress.spentMs += performance.now() - t0;
      } catch (e) {
        log(`  ${c.name}: failed: ${String(e).slice(0, 400)}`);
        if (trial === 1) {
          unavailable.push({ name: c.name, unavailable: `failed in trial 1: ${String(e).slice(0, 300)}` });
          contenders = contenders.filter((x) => x !== c);
          progress.left -= trials - 1;
        }
      } finally {
        progress.left--;
      }
    }
  }

  const tg = contenders.find((c) => c.name === 'tollgate');
  const profile = opt['no-profile'] || !tg ? undefined : await profileTollgate({ root, src: tollgate.src, work, bun, wrk: tools.wrk, log, resultsDir, tollgate: tg, warmupSeconds: PROFILE_WARMUP_S });

  const policyEval = measurePolicyEval();
  const data: RunData = {
    env,
    method: {
      trials,
      seconds_per_case: seconds,
      warmup_seconds: warmupSeconds,
      seed,
      generators: { json: tools.wrk ? `wrk ${wrk.ok ? wrk.version : ''} (1 thread)` : 'Bun client (bench/load.ts)', stream: 'Bun client (bench/load.ts)' },
    },
    tollgate_binary: { path: relative(root, tollgate.bin), bytes: tollgate.bytes, build: tollgate.build },
    contenders: contenders.map((c) => ({ name: c.name, describe: c.describe, version: c.version })),
    unavailable,
    scenarios: SCENARIOS,
    trials: records,
    profile,
    policy_eval: policyEval,
    git_at_end: (await environment(root)).git,
    elapsed_s: Math.round((performance.now() - began) / 1000),
  };
  await writeReport(data, resultsDir, rsvg.ok ? rsvg.path : undefined);
  log(`done in ${data.elapsed_s} s: ${join(opt.out, 'latest.md')}`);
}

/**
 * The binary under test, built from a snapshot of the tree taken now (src/, scripts/, policies/,
 * the default config) into bench/.work/snapshot/ with the project's own build script. Other
 * engineers keep editing src/ and rebuilding dist/tollgate during a run: the snapshot keeps the
 * binary fixed for every trial, and the profile runs the very same sources.
 */
async function buildTollgate(): Promise<{ bin: string; src: string; version: string; bytes: number; build: string }> {
  const snap = join(work, 'snapshot');
  rmSync(snap, { recursive: true, force: true });
  mkdirSync(snap, { recursive: true });
  for (const p of ['src', 'scripts', 'policies', 'package.json', 'tsconfig.json', 'gateway.config.yaml']) {
    // Timestamps kept: the Rego compiler's wasm stays newer than its Go sources, so no Go rebuild.
    if (existsSync(join(root, p))) cpSync(join(root, p), join(snap, p), { recursive: true, preserveTimestamps: true });
  }
  symlinkSync(join(root, 'node_modules'), join(snap, 'node_modules'));
  const bin = join(snap, 'dist/tollgate');
  const pkg = (await Bun.file(join(snap, 'package.json')).json()) as { version: string };
  let build: string;
  if (opt['no-build']) {
    mkdirSync(join(snap, 'dist'));
    if (existsSync(join(root, 'dist/tollgate'))) copyFileSync(join(root, 'dist/tollgate'), bin);
    build = 'the existing dist/tollgate (--no-build)';
  } else {
    log('building tollgate (scripts/build.ts, as `npm run build`) from a snapshot of the tree');
    const r = await run([process.execPath, 'scripts/build.ts'], { cwd: snap, timeoutMs: 300_000 });
    build = r.code === 0 ? 'built by this run from a snapshot of the working tree' : `build failed: ${r.out.trim().split('\n').slice(-3).join(' ')}`;
    if (r.code !== 0) log(build);
  }
  const bytes = existsSync(bin) ? statSync(bin).size : 0;
  return { bin, src: join(snap, 'src'), version: pkg.version, bytes, build };
}

async function probe(url: string, headers: Record<string, string>): Promise<boolean> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: INSTANT, messages: [{ role: 'user', content: 'hi' }] }) });
  await res.arrayBuffer();
  return res.status === 200;
}

async function runTrial(c: Contender, trial: number, upstream: Started, tools: Tools): Promise<TrialRecord> {
  const dir = join(runDir, `t${trial}`, c.name);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const launch = await c.launch(port, dir);
  const headers = launch.headers ?? c.headers;
  const url = `http://127.0.0.1:${port}${c.path}`;
  const p = start(c.name, launch.cmd, { env: launch.env, cwd: launch.cwd, log: join(dir, 'process.log') });
  const sampler = rssSampler(p.pid);
  try {
    let coldStartMs: number;
    try {
      coldStartMs = await waitUntil(() => probe(url, headers), { since: p.spawnedAt, timeoutMs: 60_000, alive: () => p.proc.exitCode === null });
    } catch (e) {
      const tail = (await Bun.file(p.log).text().catch(() => '')).trim().split('\n').slice(-5).join(' | ');
      throw new Error(`${String(e)}; log: ${tail.slice(0, 400)}`);
    }
    sampler.refresh();
    const rssIdle = sampler.peak().mb;
    // Correctness first: a mode whose answers are wrong is not measured (and the report says why).
    const broken: Record<string, string> = {};
    for (const stream of [false, true]) {
      const check = await runLoad({ url, model: INSTANT, stream, concurrency: 1, durationMs: 100, headers: { 'accept-encoding': 'identity', ...headers } });
      if (check.errors || !check.requests) broken[stream ? 'stream' : 'json'] = check.first_error ?? 'no request completed';
    }
    if (broken.json && broken.stream) throw new Error(`wrong answers: json: ${broken.json}; stream: ${broken.stream}`);
    const target = { url, headers, pid: p.pid, upstreamPid: c.name === 'direct' ? 0 : upstream.pid };
    // Warm-up: JITs, connection pools, worker processes.
    if (!broken.json) await runCase(target, { id: 'warmup-json', stream: false, c: 10, model: INSTANT, main: false }, warmupSeconds, tools);
    if (!broken.stream) await runCase(target, { id: 'warmup-stream', stream: true, c: 10, model: INSTANT, main: false }, Math.max(1, warmupSeconds / 2), tools);
    sampler.refresh();
    const cases: Record<string, CaseResult> = {};
    for (const s of shuffle(SCENARIOS, random)) {
      if (broken[s.stream ? 'stream' : 'json']) continue;
      cases[s.id] = await measureCase(target, s, tools, new Set([...sampler.pids(), upstream.pid, process.pid]));
      sampler.refresh();
    }
    const peak = sampler.peak();
    log(`  ${c.name.padEnd(16)} cold ${coldStartMs.toFixed(0).padStart(5)} ms, peak RSS ${peak.mb.toFixed(0).padStart(4)} MB, json c=10 ${String(cases['json-c10']?.rps ?? '–').padStart(6)} req/s, stream c=10 ${String(cases['stream-c10']?.rps ?? '–').padStart(6)} req/s`);
    for (const [mode, why] of Object.entries(broken)) log(`    ${mode} not measured: ${why.slice(0, 200)}`);
    return {
      contender: c.name,
      trial,
      cold_start_ms: Math.round(coldStartMs * 10) / 10,
      rss_idle_mb: Math.round(rssIdle),
      peak_rss_mb: Math.round(peak.mb),
      peak_rss_anon_mb: Math.round(peak.anonMb),
      peak_rss_file_mb: Math.round(peak.fileMb),
      broken,
      cases,
    };
  } finally {
    sampler.stop();
    await p.stop();
  }
}

/** Whether one more re-measurement still fits the time budget, by the pace of the run so far. */
function retryFits(): boolean {
  const perTrial = progress.done ? progress.spentMs / progress.done : 25_000;
  const profileMs = opt['no-profile'] ? 0 : 15_000;
  const projected = performance.now() - began + progress.left * perTrial + profileMs + 3_000 + seconds * 1000;
  return projected < budgetMs;
}

/**
 * One case; when something else on the machine took a noticeable share of the CPU meanwhile,
 * waits for it to calm down (up to 3 s) and measures again, keeping the quieter run, as long
 * as the whole bench stays within its time budget.
 */
async function measureCase(target: Target, s: Scenario, tools: Tools, ours: Set<number>): Promise<CaseResult> {
  const foreignPct = (r: CaseResult) => (100 * r.cpu.foreign_ms) / (r.seconds * 1000);
  const first = await runCase(target, s, seconds, tools);
  if (foreignPct(first) <= NOISY_PCT || !retryFits()) return first;
  for (let waited = 0; waited < 3000 && (await foreignCpuPct(ours)) > 10; waited += 250);
  const second = await runCase(target, s, seconds, tools);
  const best = foreignPct(second) < foreignPct(first) ? second : first;
  return { ...best, remeasured: true };
}

/** The contender's own check of its configuration, after it stopped (e.g. ledger rows). */
function verify(c: Contender, dir: string, rec: TrialRecord): TrialRecord {
  if (!c.verify) return rec;
  const requests = Object.values(rec.cases).reduce((a, r) => a + r.requests, 0);
  try {
    return { ...rec, verified: c.verify(dir, requests) };
  } catch (e) {
    log(`  ${c.name}: configuration check failed: ${String(e)}`);
    return { ...rec, verified: `FAILED: ${String(e)}` };
  }
}
