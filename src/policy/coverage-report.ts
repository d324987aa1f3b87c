import type { CoverageRange, CoverageReport } from './compiler/types.ts';

/**
 * Prints OPA's coverage report (what `opa test --coverage` writes as JSON) for people: one line
 * per file with its percentage, covered/total lines and the lines no test reached, then the
 * overall percentage. `--threshold` fails below it with OPA's own message.
 */

const pct = (n: number): string => `${n.toFixed(2)}%`;

/** Row spans ("12", "30-34") of ranges, merged and sorted, as OPA lists lines not covered. */
export function rowSpans(ranges: CoverageRange[] = []): string[] {
  const rows = new Set<number>();
  for (const r of ranges) for (let row = r.start.row; row <= r.end.row; row++) rows.add(row);
  const sorted = [...rows].sort((a, b) => a - b);
  const spans: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    spans.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return spans;
}

export function formatCoverageReport(report: CoverageReport): string {
  const files = Object.keys(report.files).sort();
  const width = Math.max(0, ...files.map((f) => f.length));
  const out: string[] = [];
  for (const file of files) {
    const f = report.files[file]!;
    const covered = f.covered_lines ?? 0;
    const total = covered + (f.not_covered_lines ?? 0);
    const missing = rowSpans(f.not_covered);
    const head = `${file.padEnd(width)}  ${pct(f.coverage ?? (total === 0 ? 100 : 0)).padStart(7)}  (${covered}/${total} lines)`;
    out.push(missing.length > 0 ? `${head}  not covered: ${missing.join(', ')}` : head);
  }
  const total = report.covered_lines + report.not_covered_lines;
  out.push('-'.repeat(80), `COVERAGE: ${pct(report.coverage)} (${report.covered_lines}/${total} lines)`);
  return out.join('\n');
}

/** OPA's message when coverage is below the threshold (`opa test --threshold`). */
export const thresholdError = (coverage: number, threshold: number): string => `Code coverage threshold not met: got ${coverage.toFixed(2)} instead of ${threshold.toFixed(2)}`;

/** The report with its file names as `rename` gives them (paths on disk). */
export function renameFiles(report: CoverageReport, rename: (file: string) => string): CoverageReport {
  return { ...report, files: Object.fromEntries(Object.entries(report.files).map(([f, r]) => [rename(f), r])) };
}
