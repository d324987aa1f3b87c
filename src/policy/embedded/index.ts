import type { PolicySources } from '../policy-files.ts';
import { embeddedDataAhead } from './data-ahead.ts' with { type: 'macro' };
import { EMBEDDED_POLICY_FILES } from './files.ts';

/** The default policies shipped in the binary, for when no policies/ directory exists. */
export function embeddedPolicySources(): PolicySources {
  const sources: PolicySources = { files: {}, dataFiles: embeddedDataAhead() };
  for (const [path, text] of Object.entries(EMBEDDED_POLICY_FILES)) if (path.endsWith('.rego')) sources.files[path] = text;
  return sources;
}
