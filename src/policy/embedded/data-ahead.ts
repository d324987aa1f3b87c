/**
 * The embedded policy data files parsed ahead of time: imported as a macro (`with { type:
 * 'macro' }`), so the bundler runs this and inlines the result, and a start with the built-in
 * policies parses no YAML. A data file that does not parse fails the build.
 */
import { parseDataFile, type DataDocument } from '../policy-files.ts';
import { EMBEDDED_POLICY_FILES } from './files.ts';

export function embeddedDataAhead(): Record<string, DataDocument> {
  const out: Record<string, DataDocument> = {};
  for (const [path, text] of Object.entries(EMBEDDED_POLICY_FILES)) {
    if (path.endsWith('.rego')) continue;
    const parsed = parseDataFile(path, text);
    if (!parsed.ok) throw new Error(`embedded policy data ${path} is invalid: ${parsed.error.message}`);
    out[path] = parsed.doc;
  }
  return out;
}
