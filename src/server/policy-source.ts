import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { GatewayConfig } from '../config/schema.ts';
import { embeddedPolicySources } from '../policy/embedded/index.ts';
import type { PolicySource } from '../policy/runtime.ts';

/**
 * Where the policy comes from: a bundle, the configured directory (relative to the config
 * file), or, when that directory does not exist, the default policies built into the binary
 * (which never change, so they are not watched).
 */
export function policySource(config: GatewayConfig, configPath?: string): PolicySource & { watch: boolean; label: string } {
  const base = configPath ? dirname(configPath) : process.cwd();
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const shown = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p) || '.');
  const { watch } = config.policy;
  if (config.policy.bundle) return { bundle: at(config.policy.bundle), watch, label: `bundle ${shown(at(config.policy.bundle))}` };
  const dir = at(config.policy.dir);
  if (existsSync(dir)) return { dir, watch, label: `${shown(dir)}/` };
  return { sources: embeddedPolicySources(), name: '<built-in policies>', watch: false, label: `built-in policies (no ${shown(dir)}/ directory; \`tollgate policy export\` writes them)` };
}
