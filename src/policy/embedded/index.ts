import { GatewayError } from '../../lib/errors.ts';
import { parseDataFile, type PolicySources } from '../policy-files.ts';
import { EMBEDDED_POLICY_FILES } from './files.ts';

/** The default policies shipped in the binary, for when no policies/ directory exists. */
export function embeddedPolicySources(): PolicySources {
  const sources: PolicySources = { files: {}, dataFiles: {} };
  for (const [path, text] of Object.entries(EMBEDDED_POLICY_FILES)) {
    if (path.endsWith('.rego')) sources.files[path] = text;
    else {
      const parsed = parseDataFile(path, text);
      if (!parsed.ok) throw new GatewayError('internal', `embedded policy data ${path} is invalid: ${parsed.error.message}`);
      sources.dataFiles[path] = parsed.doc;
    }
  }
  return sources;
}
