import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ConfigError } from '../config/load.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { embeddedPolicySources } from '../policy/embedded/index.ts';
import type { PolicySource } from '../policy/runtime.ts';

/**
 * Where the policy comes from: a bundle, the configured directory (relative to the config
 * file), or, when `policy.dir` is not set and no `policies/` sits beside the config, the
 * default policies built into the binary (which never change, so they are not watched). A
 * `policy.dir` or bundle that is set must exist: silently serving other policies than the ones
 * named would be worse than refusing to start. `label` says which, for the banner.
 */
export function policySource(config: GatewayConfig, configPath?: string): PolicySource & { watch: boolean; label: string } {
  const base = configPath ? dirname(configPath) : process.cwd();
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const file = configPath ?? '<embedded gateway.config.yaml>';
  const shown = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p) || '.');
  const { watch } = config.policy;
  if (config.policy.bundle) {
    const bundle = at(config.policy.bundle);
    if (!existsSync(bundle)) throw missing(file, 'policy.bundle', `bundle ${bundle} does not exist`, 'build it with `opa build -t wasm`, or remove policy.bundle');
    return { bundle, watch, label: `bundle ${shown(bundle)}` };
  }
  if (config.policy.dir !== undefined) {
    const dir = at(config.policy.dir);
    if (!existsSync(dir)) throw missing(file, 'policy.dir', `directory ${dir} does not exist`, 'create it (`tollgate policy export DIR` writes the built-in policies there), fix the path, or remove policy.dir to use the built-in policies');
    return { dir, watch, label: `${shown(dir)}/` };
  }
  const beside = at('policies');
  if (existsSync(beside)) return { dir: beside, watch, label: `${shown(beside)}/` };
  return { sources: embeddedPolicySources(), name: '<built-in policies>', watch: false, label: `built-in policies (no ${shown(beside)}/ directory; \`tollgate policy export\` writes them)` };
}

function missing(file: string, path: string, message: string, hint: string): ConfigError {
  return new ConfigError([{ file, line: 0, col: 0, path, message, hint }]);
}
