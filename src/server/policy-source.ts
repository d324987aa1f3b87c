import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { GatewayConfig } from '../config/schema.ts';
import { embeddedPolicySources } from '../policy/embedded/index.ts';
import type { PolicySource } from '../policy/runtime.ts';

/**
 * Where the policy comes from: a bundle, the configured directory (relative to the config
 * file), or, when that directory does not exist, the default policies built into the binary.
 */
export function policySource(config: GatewayConfig, configPath?: string): PolicySource & { watch: boolean } {
  const base = configPath ? dirname(configPath) : process.cwd();
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  if (config.policy.bundle) return { bundle: at(config.policy.bundle), watch: true };
  const dir = at(config.policy.dir);
  if (existsSync(dir)) return { dir, watch: true };
  return { sources: embeddedPolicySources(), name: '<built-in policies>', watch: false };
}
