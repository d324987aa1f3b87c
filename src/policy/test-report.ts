import type { RegoTestResult } from './compiler/types.ts';

/**
 * Formats Rego test results the way `opa test` (OPA v1 PrettyReporter) prints them: failing
 * tests (every test with -v) under a `file:line:` header, a rule of dashes, then
 * `PASS: n/total`, `FAIL: n/total`, … With -v a FAILURES section shows where each failure
 * happened; `opa test -v` prints a full trace there, which the embedded runner does not keep,
 * so the failing expression's location and text are shown instead (as `opa test --var-values`).
 */

const HL = '-'.repeat(80);

/** Go's time.Duration.String() for durations under an hour. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  if (ns < 1e3) return `${ns}ns`;
  const frac = (v: number, unit: number, digits: number, suffix: string): string => {
    const whole = Math.floor(v / unit);
    const rest = String(v % unit).padStart(digits, '0').replace(/0+$/, '');
    return `${whole}${rest ? '.' + rest : ''}${suffix}`;
  };
  if (ns < 1e6) return frac(ns, 1e3, 3, 'µs');
  if (ns < 1e9) return frac(ns, 1e6, 6, 'ms');
  const minutes = Math.floor(ns / 6e10);
  const seconds = frac(ns % 6e10, 1e9, 9, 's');
  return minutes > 0 ? `${minutes}m${seconds}` : seconds;
}

type Outcome = 'PASS' | 'FAIL' | 'SKIPPED' | 'ERROR';

/** The embedded runner reports a failed expression as "file:line:col: failed: …"; anything else is an evaluation error. */
function outcome(t: RegoTestResult): Outcome {
  if (t.skip) return 'SKIPPED';
  if (t.pass) return 'PASS';
  return t.fail_reason === undefined || /^.+:\d+:\d+: failed: /.test(t.fail_reason) ? 'FAIL' : 'ERROR';
}

function line(t: RegoTestResult): string {
  const o = outcome(t);
  const head = `data.${t.package}.${t.name}: ${o}`;
  return o === 'SKIPPED' ? head : `${head} (${goDuration(t.duration_ns)})`;
}

const indent = (text: string, by = '  '): string =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

export function formatTestReport(results: RegoTestResult[], opts: { verbose?: boolean } = {}): { text: string; ok: boolean } {
  const out: string[] = [];
  const count: Record<Outcome, number> = { PASS: 0, FAIL: 0, SKIPPED: 0, ERROR: 0 };
  let dirty = false;
  let lastFile = '';
  for (const t of results) {
    const o = outcome(t);
    count[o]++;
    if (opts.verbose || o !== 'PASS') {
      if (t.location) {
        if (lastFile !== '' && lastFile !== t.location.file) out.push('');
        out.push(`${t.location.file}:${t.location.line}:`);
        lastFile = t.location.file;
      }
      dirty = true;
      out.push(line(t));
      if (t.output) out.push('', indent(t.output.trim()), '');
    }
    if (o === 'ERROR') out.push(`  ${t.fail_reason ?? 'error'}`);
  }
  const failures = results.filter((t) => outcome(t) === 'FAIL');
  if (failures.length > 0 && opts.verbose) {
    out.push(HL, 'FAILURES', HL);
    for (const f of failures) {
      out.push(line(f));
      const m = /^(.+:\d+):\d+: failed: (.*)$/s.exec(f.fail_reason ?? '');
      if (m) out.push('', `  ${m[1]}:`, indent(m[2] ?? '', '    '), '');
      out.push('');
    }
  }
  if (dirty) out.push(HL);
  const total = results.length;
  for (const o of ['PASS', 'FAIL', 'SKIPPED', 'ERROR'] as const) if (count[o] > 0) out.push(`${o}: ${count[o]}/${total}`);
  return { text: out.join('\n'), ok: count.FAIL === 0 && count.ERROR === 0 };
}
