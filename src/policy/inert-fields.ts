import type { RegoProblem } from './compiler/types.ts';
import { isTestFile } from './policy-files.ts';

/**
 * Decision fields the gateway accepts but does not act on yet, and what that means. A policy
 * that sets them must be told, so nobody relies on a cache or a prompt log that is not there.
 */
export const INERT_FIELDS: Record<string, string> = {
  // `cache` was here until the response cache (src/cache/) made it real.
};

/**
 * Every place a policy's Rego names an inert decision field (first mention per file and field),
 * as file:line:col warnings. A plain scan of the sources, comments left out: cheap, and it
 * catches a field however the decision is assembled.
 */
export function inertFieldWarnings(files: Record<string, string>): RegoProblem[] {
  const out: RegoProblem[] = [];
  const names = Object.keys(INERT_FIELDS);
  if (!names.length) return out;
  const pattern = new RegExp(`\\b(${names.join('|')})\\b`, 'g');
  for (const [file, text] of Object.entries(files)) {
    if (isTestFile(file) || !file.endsWith('.rego')) continue;
    const seen = new Set<string>();
    text.split('\n').forEach((raw, i) => {
      const line = raw.replace(/#.*$/, '');
      for (const m of line.matchAll(pattern)) {
        const field = m[1]!;
        if (seen.has(field)) continue;
        seen.add(field);
        out.push({ file, line: i + 1, col: (m.index ?? 0) + 1, message: `warning: the decision field '${field}' has no effect: ${INERT_FIELDS[field]}` });
      }
    });
  }
  return out;
}
