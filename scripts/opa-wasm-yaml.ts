/**
 * @open-policy-agent/opa-wasm implements the yaml.* builtins with its own copy of `yaml` v1
 * (117 KB of the bundle) beside the v2 the gateway uses. The build gives it v2 instead, with the
 * same contract: invalid YAML is `undefined` (unmarshal) or `false` (is_valid), never a throw;
 * v2 names its parse errors differently (YAMLParseError, ReferenceError) and warns through a log level, not a
 * global. scripts/opa-wasm-yaml.test.ts holds v2 to v1's answers.
 */
import type { BunPlugin } from 'bun';
import { resolve } from 'node:path';

const root = resolve(import.meta.dir, '..');
const BUILTINS = /node_modules\/@open-policy-agent\/opa-wasm\/src\/builtins\/yaml\.js$/;

/** The CommonJS module that replaces opa-wasm's src/builtins/yaml.js; `yamlPath` is yaml v2. */
export function yamlBuiltinsModule(yamlPath: string = resolve(root, 'node_modules/yaml/dist/index.js')): string {
  return `const yaml = require(${JSON.stringify(yamlPath)});
function parse(str) {
  if (typeof str !== "string") return { ok: false, result: undefined };
  try {
    return { ok: true, result: yaml.parse(str, { logLevel: "error" }) };
  } catch (err) {
    // An unresolved or too often repeated alias is a ReferenceError in v2, a YAMLError in v1.
    if (err instanceof yaml.YAMLError || err instanceof ReferenceError) return { ok: false, result: undefined };
    throw err;
  }
}
module.exports = {
  "yaml.is_valid": (str) => (typeof str === "string" ? parse(str).ok : undefined),
  "yaml.marshal": (data) => yaml.stringify(data),
  "yaml.unmarshal": (str) => parse(str).result,
};
`;
}

/** Bundler plugin: opa-wasm's yaml builtins run on the gateway's yaml v2. */
export const opaWasmYamlV2: BunPlugin = {
  name: 'opa-wasm-yaml-v2',
  setup(build) {
    build.onLoad({ filter: BUILTINS }, () => ({ contents: yamlBuiltinsModule(), loader: 'js' }));
  },
};
