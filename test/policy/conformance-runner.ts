/**
 * Runs OPA's own v1 conformance cases (v1/test/cases/testdata/v1 of the OPA Go module the compiler
 * is built from) through the gateway's path: each case's query is compiled by the embedded
 * compiler with the gateway's capabilities, instantiated and evaluated by src/policy/wasm-policy.ts
 * (the path requests use, builtin host included), and judged by OPA's comparison
 * (op_conformance.go, after internal/wasm/sdk/test/e2e). Cases listed in
 * conformance-exceptions.yaml are not evaluated; each entry says why.
 *
 *   bun test/policy/conformance-runner.ts [--verbose]   prints the table per topic
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startGoRuntime, type GoBridge } from '../../src/policy/compiler/index.ts';
import { acquireBuiltinHost } from '../../src/policy/builtin-host.ts';
import { encodeExactJson } from '../../src/policy/opa-value.ts';
import { DEFAULT_FUEL } from '../../src/policy/engine.ts';
import { instantiatePolicy } from '../../src/policy/wasm-policy.ts';

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
  note: string;
  file: string;
  wasm?: string;
  input?: string;
  data?: string;
  errors?: { message: string }[];
  verdict?: 'pass' | 'refused' | 'error';
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

async function call<T>(bridge: GoBridge, op: string, req: object): Promise<T> {
  const r = JSON.parse(await bridge.call(op, JSON.stringify(req))) as T & { errors?: { file?: string; message: string }[] };
  if (r.errors?.length) throw new Error(`${op}: ${r.errors.map((e) => `${e.file ?? ''} ${e.message}`).join('; ')}`);
  return r;
}

const encoder = new TextEncoder();

async function evaluate(c: Compiled): Promise<{ note: string; result?: unknown; error?: string }> {
  try {
    const load = await instantiatePolicy(Uint8Array.from(Buffer.from(c.wasm ?? '', 'base64')), 64 * 1024 * 1024);
    const policy = load(encoder.encode(c.data ?? '{}'));
    policy.fuel.value = DEFAULT_FUEL;
    const rs = policy.evaluate(c.input === undefined ? undefined : encoder.encode(c.input), 0, 'keep');
    return { note: c.note, result: rs };
  } catch (e) {
    return { note: c.note, error: e instanceof Error ? e.message : String(e) };
  }
}

export interface RunOptions {
  caseDir?: string;
  exceptions?: Map<string, string>;
  /** Case files per compile call. */
  batch?: number;
}

/** Compiles, evaluates and judges every case; one compiler runtime, one builtin host. */
export async function runConformance(opts: RunOptions = {}): Promise<CaseResult[]> {
  const caseDir = opts.caseDir ?? opaCaseDir();
  const exceptions = opts.exceptions ?? loadExceptions();
  const files = caseFiles(caseDir);
  const batch = opts.batch ?? 40;
  await acquireBuiltinHost();
  const bridge = await startGoRuntime();
  const results: CaseResult[] = [];
  try {
    for (let i = 0; i < files.length; i += batch) {
      const group = files.slice(i, i + batch);
      const req = { files: Object.fromEntries(group.map((f) => [relative(caseDir, f), readFileSync(f, 'utf8')])) };
      const { cases } = await call<{ cases: Compiled[] }>(bridge, 'conformanceCompile', req);
      const outcomes: { note: string; result?: string; error?: string }[] = [];
      const topics = new Map<string, string>();
      for (const c of cases) {
        const topic = c.file.split('/')[0] ?? c.file;
        topics.set(c.note, topic);
        const reason = exceptionFor(c.note, exceptions);
        if (reason !== undefined) results.push({ note: c.note, topic, verdict: 'exception', detail: reason });
        else if (c.verdict) results.push({ note: c.note, topic, verdict: c.verdict, detail: c.errors?.map((e) => e.message).join('; ') });
        else {
          const o = await evaluate(c);
          outcomes.push(o.error !== undefined ? { note: o.note, error: o.error } : { note: o.note, result: encodeExactJson(o.result) });
        }
      }
      if (outcomes.length === 0) continue;
      // The result travels as JSON text inside the request, digit for digit.
      const payload = `[${outcomes.map((o) => (o.error !== undefined ? JSON.stringify(o) : `{"note":${JSON.stringify(o.note)},"result":${o.result}}`)).join(',')}]`;
      const r = JSON.parse(await bridge.call('conformanceCheck', `{"files":{},"input":${payload}}`)) as { verdicts: { note: string; verdict: Verdict; detail?: string }[]; errors?: { message: string }[] };
      if (r.errors?.length) throw new Error(`conformanceCheck: ${r.errors.map((e) => e.message).join('; ')}`);
      for (const v of r.verdicts) results.push({ note: v.note, topic: topics.get(v.note) ?? '?', verdict: v.verdict, detail: v.detail });
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
