/**
 * Runs OPA's own v1 conformance cases (v1/test/cases/testdata/v1 of the OPA Go module the compiler
 * is built from) through the gateway's path: each case's query is compiled by the embedded
 * compiler with the gateway's capabilities, instantiated and evaluated by src/policy/wasm-policy.ts
 * (the path requests use, builtin host included), and judged by OPA's comparison
 * (op_conformance.go, after internal/wasm/sdk/test/e2e). Cases listed in
 * conformance-exceptions.yaml are not evaluated; each entry says why. Compiled modules are kept
 * on disk by compiler build and case files (CompileCache), so a second run only evaluates.
 *
 *   bun test/policy/conformance-runner.ts [--verbose]   prints the table per topic
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compilerId, startGoRuntime } from '../../src/policy/compiler/index.ts';
import { acquireBuiltinHost } from '../../src/policy/builtin-host.ts';
import { encodeExactJson } from '../../src/policy/opa-value.ts';
import { DEFAULT_FUEL } from '../../src/policy/engine.ts';
import { instantiatePolicy, type FuelledPolicy } from '../../src/policy/wasm-policy.ts';

const compilerDir = join(import.meta.dir, '../../src/policy/compiler');
export const EXCEPTIONS_FILE = join(import.meta.dir, 'conformance-exceptions.yaml');

export type Verdict = 'pass' | 'refused' | 'exception' | 'wrong' | 'error';

export interface CaseResult {
  note: string;
  topic: string;
  verdict: Verdict;
  detail?: string;
}

interface Compiled {
  id: string;
  note: string;
  file: string;
  /** Index into the response's modules; -1 when decided at compile time. */
  module: number;
  /** The case's query as an entrypoint of a shared module (its result is `bind`'s binding); absent: the module's own query. */
  entrypoint?: string;
  bind?: string;
  input?: string;
  errors?: { message: string }[];
  verdict?: 'pass' | 'refused' | 'error';
}

interface CompiledModule {
  wasm: string;
  data: string;
}

function go(args: string[]): string {
  const r = Bun.spawnSync(['go', ...args], { cwd: compilerDir, stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`go ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

/** The case directory inside the OPA module the compiler is built from. */
export function opaCaseDir(): string {
  let dir = go(['list', '-m', '-f', '{{.Dir}}', 'github.com/open-policy-agent/opa']);
  if (!dir) {
    go(['mod', 'download', 'github.com/open-policy-agent/opa']);
    dir = go(['list', '-m', '-f', '{{.Dir}}', 'github.com/open-policy-agent/opa']);
  }
  return join(dir, 'v1/test/cases/testdata/v1');
}

function caseFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...caseFiles(p));
    else if (name.endsWith('.yaml') || name.endsWith('.yml') || name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** note (or glob with *) → reason */
export function loadExceptions(file = EXCEPTIONS_FILE): Map<string, string> {
  const doc: unknown = parseYaml(readFileSync(file, 'utf8')) ?? {};
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${file}: expected a map of case note to reason`);
  const out = new Map<string, string>();
  for (const [note, reason] of Object.entries(doc)) {
    if (typeof reason !== 'string' || reason.trim() === '') throw new Error(`${file}: ${note}: the reason must be a non-empty string`);
    out.set(note, reason);
  }
  return out;
}

function exceptionFor(note: string, exceptions: Map<string, string>): string | undefined {
  const exact = exceptions.get(note);
  if (exact !== undefined) return exact;
  for (const [pattern, reason] of exceptions) {
    if (!pattern.includes('*')) continue;
    const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
    if (re.test(note)) return reason;
  }
  return undefined;
}

const encoder = new TextEncoder();
const topicOf = (file: string): string => file.split('/')[0] ?? file;

type Loader = (data: Uint8Array) => FuelledPolicy;

/** One module's instance, reused from case to case (each evaluation starts from its data) and replaced after a failure. */
class ModuleRunner {
  private policy: FuelledPolicy | undefined;
  constructor(
    private readonly load: Loader,
    private readonly data: Uint8Array,
  ) {}

  evaluate(c: Compiled): { id: string; result?: unknown; error?: string } {
    try {
      const policy = (this.policy ??= this.load(this.data));
      const entry = c.entrypoint === undefined ? 0 : policy.entrypoints[c.entrypoint];
      if (entry === undefined) throw new Error(`module has no entrypoint ${c.entrypoint}`);
      policy.fuel.value = DEFAULT_FUEL;
      const rs = policy.evaluate(c.input === undefined ? undefined : encoder.encode(c.input), entry, 'keep');
      if (c.bind === undefined) return { id: c.id, result: rs };
      if (!Array.isArray(rs)) throw new Error('result set is not an array');
      return { id: c.id, result: rs.map((r: unknown) => ({ [c.bind as string]: r && typeof r === 'object' && 'result' in r ? r.result : undefined })) };
    } catch (e) {
      this.policy = undefined; // as the engine does: a failed evaluation may leave the instance half-written
      return { id: c.id, error: e instanceof Error ? e.message : String(e) };
    }
  }
}

/**
 * Compiled modules by compiler build and request: compiling the 2,400 cases takes the embedded
 * (Go-in-wasm) compiler a minute or more, and its output depends only on those two. Evaluation,
 * the gateway's part, runs every time.
 */
class CompileCache {
  private readonly dir: string;
  constructor(root: string, id: string) {
    const short = id.replace(/^wasm-sha256:/, '').slice(0, 16);
    this.dir = join(root, short);
    if (existsSync(root)) for (const other of readdirSync(root)) if (other !== short) rmSync(join(root, other), { recursive: true, force: true });
  }
  private file(request: string): string {
    return join(this.dir, `${new Bun.CryptoHasher('sha256').update(request).digest('hex')}.json`);
  }
  get(request: string): string | undefined {
    const f = this.file(request);
    return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
  }
  put(request: string, response: string): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.file(request), response);
  }
}

export interface RunOptions {
  caseDir?: string;
  exceptions?: Map<string, string>;
  /** Case files per compile call. */
  batch?: number;
  /**
   * Where compiled modules are kept (default .tmp/conformance-cache in this checkout, or
   * $TOLLGATE_CONFORMANCE_CACHE); false: none. Per checkout, not per user: the cache keeps one
   * compiler build, so checkouts with different builds sharing ~/.cache evicted each other and
   * every run compiled the 2,400 cases again (~30 s of CPU).
   */
  cacheDir?: string | false;
}

/** Compiles, evaluates and judges every case; one compiler runtime, one builtin host. */
export async function runConformance(opts: RunOptions = {}): Promise<CaseResult[]> {
  const caseDir = opts.caseDir ?? opaCaseDir();
  const exceptions = opts.exceptions ?? loadExceptions();
  const files = caseFiles(caseDir);
  const batch = opts.batch ?? 200;
  await acquireBuiltinHost();
  const cacheRoot = opts.cacheDir ?? process.env.TOLLGATE_CONFORMANCE_CACHE ?? join(import.meta.dir, '../../.tmp/conformance-cache');
  const cache = cacheRoot === false ? undefined : new CompileCache(cacheRoot, await compilerId());
  const bridge = await startGoRuntime();
  const results: CaseResult[] = [];
  try {
    for (let i = 0; i < files.length; i += batch) {
      const group = files.slice(i, i + batch);
      const texts = Object.fromEntries(group.map((f) => [relative(caseDir, f), readFileSync(f, 'utf8')]));
      const request = JSON.stringify({ files: texts });
      let response = cache?.get(request);
      if (response === undefined) {
        response = await bridge.call('conformanceCompile', request);
        const errors = (JSON.parse(response) as { errors?: { file?: string; message: string }[] }).errors;
        if (errors?.length) throw new Error(`conformanceCompile: ${errors.map((e) => `${e.file ?? ''} ${e.message}`).join('; ')}`);
        cache?.put(request, response);
      }
      const { modules, cases } = JSON.parse(response) as { modules: CompiledModule[]; cases: Compiled[] };
      const runners = new Map<number, Promise<ModuleRunner>>();
      const runnerOf = (i: number): Promise<ModuleRunner> => {
        let r = runners.get(i);
        if (!r) {
          const m = modules[i];
          r = instantiatePolicy(Uint8Array.from(Buffer.from(m?.wasm ?? '', 'base64')), 64 * 1024 * 1024).then((load) => new ModuleRunner(load, encoder.encode(m?.data ?? '{}')));
          runners.set(i, r);
        }
        return r;
      };
      const outcomes: { id: string; result?: string; error?: string }[] = [];
      const cased = new Map<string, Compiled>();
      for (const c of cases) {
        cased.set(c.id, c);
        const topic = topicOf(c.file);
        const reason = exceptionFor(c.note, exceptions);
        if (reason !== undefined) results.push({ note: c.note, topic, verdict: 'exception', detail: reason });
        else if (c.verdict || c.module < 0) results.push({ note: c.note, topic, verdict: c.verdict ?? 'error', detail: c.errors?.map((e) => e.message).join('; ') });
        else {
          let o: { id: string; result?: unknown; error?: string };
          try {
            o = (await runnerOf(c.module)).evaluate(c);
          } catch (e) {
            o = { id: c.id, error: `cannot load: ${e instanceof Error ? e.message : String(e)}` };
          }
          outcomes.push(o.error !== undefined ? { id: o.id, error: o.error } : { id: o.id, result: encodeExactJson(o.result) });
        }
      }
      if (outcomes.length === 0) continue;
      // The result travels as JSON text inside the request, digit for digit.
      const payload = `[${outcomes.map((o) => (o.error !== undefined ? JSON.stringify(o) : `{"id":${JSON.stringify(o.id)},"result":${o.result}}`)).join(',')}]`;
      const r = JSON.parse(await bridge.call('conformanceCheck', `{"files":${JSON.stringify(texts)},"input":${payload}}`)) as { verdicts: { id: string; verdict: Verdict; detail?: string }[]; errors?: { message: string }[] };
      if (r.errors?.length) throw new Error(`conformanceCheck: ${r.errors.map((e) => e.message).join('; ')}`);
      for (const v of r.verdicts) {
        const c = cased.get(v.id);
        results.push({ note: c?.note ?? v.id, topic: c ? topicOf(c.file) : '?', verdict: v.verdict, detail: v.detail });
      }
    }
  } finally {
    await bridge.close();
  }
  return results;
}

export type Tally = Record<Verdict, number>;

const emptyTally = (): Tally => ({ pass: 0, refused: 0, exception: 0, wrong: 0, error: 0 });

export function tally(results: CaseResult[]): { total: Tally; topics: Map<string, Tally> } {
  const total = emptyTally();
  const topics = new Map<string, Tally>();
  for (const r of results) {
    total[r.verdict]++;
    const t = topics.get(r.topic) ?? emptyTally();
    t[r.verdict]++;
    topics.set(r.topic, t);
  }
  return { total, topics };
}

export function formatTable(results: CaseResult[]): string {
  const { total, topics } = tally(results);
  const row = (name: string, t: Tally) =>
    `| ${name.padEnd(34)} | ${[t.pass, t.refused, t.exception, t.error, t.wrong].map((n) => String(n).padStart(5)).join(' | ')} |`;
  const lines = [`| ${'topic'.padEnd(34)} |  pass | refus | excep | error | wrong |`, `|${'-'.repeat(36)}|-------|-------|-------|-------|-------|`];
  for (const name of [...topics.keys()].sort()) lines.push(row(name, topics.get(name) as Tally));
  lines.push(row(`total (${results.length} cases)`, total));
  return lines.join('\n');
}

if (import.meta.main) {
  const started = performance.now();
  const results = await runConformance();
  console.log(formatTable(results));
  console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (process.argv.includes('--verbose')) {
    for (const r of results) if (r.verdict !== 'pass' && r.verdict !== 'exception') console.log(`${r.verdict}\t${r.note}\t${(r.detail ?? '').slice(0, 300)}`);
  }
}
