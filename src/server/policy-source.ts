import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { GatewayConfig } from '../config/schema.ts';
import { embeddedPolicySources } from '../policy/embedded/index.ts';
import type { PolicySource } from '../policy/runtime.ts';

/**
 * Where the policy comes from: a bundle, the configured directory (relative to the config
 * file), or, when that directory does not exist, the default policies built into the binary
 * (which never change, so they are not watched).
 */
export function policySource(config: GatewayConfig, configPath?: string): PolicySource & { watch: boolean } {
  const base = configPath ? dirname(configPath) : process.cwd();
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const { watch } = config.policy;
  if (config.policy.bundle) return { bundle: at(config.policy.bundle), watch };
  const dir = at(config.policy.dir);
  if (existsSync(dir)) return { dir, watch };
  return { sources: embeddedPolicySources(), name: '<built-in policies>', watch: false };
}
