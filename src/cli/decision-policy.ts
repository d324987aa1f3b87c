import type { GatewayConfig } from '../config/schema.ts';
import { userCompileCache } from '../policy/compile-cache.ts';
import type { RegoCompiler, RegoFiles, RegoProblem } from '../policy/compiler/types.ts';
import { compilePolicySources, formatProblem, loadBundle, type LoadedPolicy } from '../policy/loader.ts';
import { isTestFile, readPolicyDir, type PolicySources } from '../policy/policy-files.ts';
import { policySource } from '../server/policy-source.ts';
import { CliError } from './guard.ts';

/** A policy compiled through the gateway's own compile path, with its Rego sources when it has them. */
export interface CompiledPolicy {
  policy: LoadedPolicy;
  label: string;
  /** Rego files without tests, for OPA's evaluator; undefined for a bundle. */
  files?: RegoFiles;
}

function refused(label: string, errors: RegoProblem[]): never {
  throw new CliError(`${label}: the policy is refused: ${errors.map(formatProblem).join('; ')}`);
}

async function compiled(sources: PolicySources, label: string, data: Record<string, unknown>, env: NodeJS.ProcessEnv, compiler?: RegoCompiler): Promise<CompiledPolicy> {
  const r = await compilePolicySources(sources, { data, cache: await userCompileCache(env), compiler });
  if (!r.ok) refused(label, r.errors);
  const files: RegoFiles = {};
  for (const [path, text] of Object.entries(sources.files)) if (!isTestFile(path)) files[path] = text;
  return { policy: r.policy, label, files };
}

/** The policy the gateway with this config serves (policy.dir, policy.bundle, ./policies or the built-in ones); `compiler` when the caller keeps one. */
export async function currentPolicy(config: GatewayConfig, configPath: string | undefined, env: NodeJS.ProcessEnv, compiler?: RegoCompiler): Promise<CompiledPolicy> {
  const from = policySource(config, configPath);
  if ('bundle' in from) {
    const r = loadBundle({ bundle: from.bundle, data: config.policy.data });
    if (!r.ok) refused(from.label, r.errors);
    return { policy: r.policy, label: from.label };
  }
  if ('dir' in from) return compiled(readDir(from.dir, 'policy.dir'), from.label, config.policy.data, env, compiler);
  return compiled(from.sources, from.label, config.policy.data, env, compiler);
}

/** A candidate policy directory, compiled (and its tests run) as the gateway would. */
export function candidatePolicy(dir: string, config: GatewayConfig, env: NodeJS.ProcessEnv): Promise<CompiledPolicy> {
  return compiled(readDir(dir, '--candidate'), `${dir}/`, config.policy.data, env);
}

function readDir(dir: string, flag: string): PolicySources {
  const r = readPolicyDir(dir);
  if (!r.ok) throw new CliError(`${flag} ${dir}: ${r.errors.map(formatProblem).join('; ')}`);
  return r.sources;
}
