import type { Logger } from '../../../src/lib/logger.ts';
import { CLIENT_KEY, FAILING, fuzzApp, MASTER_KEY } from './app.ts';
import { fuzzCase, type FuzzCase } from './cases.ts';
import { prng } from '../../support/prng.ts';

export interface FuzzFinding {
  status: number | 'hang';
  case: FuzzCase;
  /** The logged cause (an internal error's stack), when there is one. */
  cause?: string;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  ms: number;
  statuses: Record<string, number>;
  /** Gateway-caused 5xx (and hangs) not covered by `known`: each one is a bug. */
  failures: FuzzFinding[];
  /** 500s of the kinds being fixed elsewhere, by kind (see KNOWN). */
  known: Record<string, FuzzFinding[]>;
}

/**
 * 500s of a kind known and being fixed elsewhere, counted and reported apart from the failures.
 * Empty: the deep-JSON, nonsense-usage and bare-Anthropic-block 500s it once listed are fixed.
 */
const KNOWN: { kind: string; test: (cause: string, c: FuzzCase) => boolean }[] = [];

export interface FuzzOptions {
  seed: number;
  /** Stop after this many cases… */
  maxCases: number;
  /** …or after this much time, whichever comes first. */
  timeMs: number;
  /** A case that takes longer than this is a hang. */
  caseTimeoutMs?: number;
}

/** Runs seeded malformed requests through the in-process app (no sockets) and classifies every 5xx. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const before = process.env.TOLLGATE_MASTER_KEY;
  process.env.TOLLGATE_MASTER_KEY = MASTER_KEY;
  let errors: string[] = [];
  const record = (m: string, f?: Record<string, unknown>) => errors.push(`${m} ${typeof f?.error === 'string' ? f.error : JSON.stringify(f ?? {})}`);
  const logger: Logger = { debug() {}, info() {}, warn() {}, error: record };
  const { app, close } = await fuzzApp(logger);
  const r = prng(o.seed);
  const report: FuzzReport = { seed: o.seed, cases: 0, ms: 0, statuses: {}, failures: [], known: {} };
  const started = performance.now();
  try {
    while (report.cases < o.maxCases && performance.now() - started < o.timeMs) {
      const c = fuzzCase(r, { client: CLIENT_KEY, master: MASTER_KEY });
      errors = [];
      report.cases++;
      const answer = (async () => {
        const res = await app.request(c.path, { method: c.method, headers: c.headers, body: c.body });
        return { status: res.status, text: await res.text() };
      })();
      const got = await Promise.race([answer, Bun.sleep(o.caseTimeoutMs ?? 5_000).then(() => undefined)]);
      const status = got ? got.status : 'hang';
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      // A stream whose headers went out as a 200 reports a crash in an error event instead.
      const crashedInStream = got?.status === 200 && got.text.includes('Internal gateway error');
      if (got && got.status < 500 && !crashedInStream) continue;
      if (got && [502, 503, 504].includes(got.status) && c.model && FAILING.has(c.model)) continue;
      const finding: FuzzFinding = { status: crashedInStream ? 500 : status, case: c, cause: errors.join('\n') || undefined };
      const known = status === 500 || crashedInStream ? KNOWN.find((k) => k.test(finding.cause ?? '', c)) : undefined;
      if (known) (report.known[known.kind] ??= []).push(finding);
      else report.failures.push(finding);
    }
  } finally {
    report.ms = Math.round(performance.now() - started);
    close();
    if (before === undefined) delete process.env.TOLLGATE_MASTER_KEY;
    else process.env.TOLLGATE_MASTER_KEY = before;
  }
  return report;
}

/** A few lines for a person: counts, then each finding with its body and cause, shortened. */
export function describeReport(r: FuzzReport, show = 5): string {
  const lines = [`fuzz seed ${r.seed}: ${r.cases} cases in ${r.ms} ms; statuses ${JSON.stringify(r.statuses)}; ${r.failures.length} gateway 5xx; known elsewhere: ${Object.entries(r.known).map(([k, v]) => `${v.length} × ${k}`).join('; ') || 'none'}`];
  for (const f of [...r.failures, ...Object.values(r.known).flat()].slice(0, show)) {
    lines.push(`  ${f.status} ${f.case.method} ${f.case.path} (${f.case.how}) body ${JSON.stringify((f.case.body ?? '').slice(0, 300))}`);
    if (f.cause) lines.push(`    ${f.cause.split('\n').slice(0, 4).join('\n    ')}`);
  }
  return lines.join('\n');
}
