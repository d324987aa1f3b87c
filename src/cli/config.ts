import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { databaseFile } from '../config/database-url.ts';
import { ConfigError, formatProblem } from '../config/load.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { userCompileCache } from '../policy/compile-cache.ts';
import { compilePolicySources, formatProblem as formatRegoProblem, loadBundle } from '../policy/loader.ts';
import { readPolicyDir } from '../policy/policy-files.ts';
import { policySource } from '../server/policy-source.ts';
import { DatabaseError, displayUrl, openStore } from '../store/client.ts';
import { NewerDatabaseError, newerMigrations } from '../store/migrate.ts';
import { configSource } from './config-source.ts';
import { unpricedModels, unpricedWarning } from '../pricing/unpriced.ts';

/** `tollgate config check [file]`: refuses what `serve` would refuse (config, policies, database). */
export function configCommand(): Command {
  const cmd = new Command('config').description('Work with gateway.config.yaml');
  cmd
    .command('check')
    .description('Validate a config file, compile and test its policies, check its database (default: ./gateway.config.yaml or the embedded one)')
    .argument('[file]', 'config file')
    .action(async (file?: string) => {
      const src = configSource(file);
      try {
        const { config, skipped } = await src.load();
        const policy = await checkPolicy(config, src.path);
        const database = await checkDatabase(config);
        const models = Object.keys(config.models).length;
        console.log(`${src.path ?? 'embedded config'}: OK (${Object.keys(config.providers).length} providers, ${models} models)`);
        for (const s of skipped) console.log(`  provider '${s.provider}' is off: ${s.missing.join(', ')} not set`);
        console.log(`  policies: ${policy}`);
        console.log(`  database: ${database}`);
        for (const u of unpricedModels(config)) console.error(`  ${unpricedWarning(u)}`);
      } catch (e) {
        if (e instanceof PolicyProblems) for (const line of e.lines) console.error(line);
        else if (e instanceof ConfigError) for (const p of e.problems) console.error(formatProblem(p));
        else throw e;
        process.exitCode = 1;
      }
    });
  return cmd;
}

class PolicyProblems extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'PolicyProblems';
  }
}

/** Compiles and tests the policies as `serve` would load them; a summary, or PolicyProblems. */
async function checkPolicy(config: GatewayConfig, configPath: string | undefined): Promise<string> {
  if (!config.policy.enabled) return 'off (policy.enabled: false)';
  const source = policySource(config, configPath);
  const fail = (errors: { file: string; line: number; col: number; message: string }[]) =>
    new PolicyProblems(errors.map((p) => `${formatRegoProblem(p)} (fix the policy; \`tollgate policy check\` shows every problem)`));
  if ('bundle' in source) {
    const r = loadBundle({ bundle: source.bundle, data: config.policy.data });
    if (!r.ok) throw fail(r.errors);
    return `bundle ${source.bundle} (revision ${r.policy.revision})`;
  }
  // The built-in policies ship tested; only config data could change what they do.
  if ('sources' in source && Object.keys(config.policy.data).length === 0) return 'built-in (no policy.dir, and no policies/ beside the config)';
  const read = 'dir' in source ? readPolicyDir(source.dir) : { ok: true as const, sources: source.sources };
  if (!read.ok) throw fail(read.errors);
  const r = await compilePolicySources(read.sources, { data: config.policy.data, cache: await userCompileCache() });
  if (!r.ok) throw fail(r.errors);
  const where = 'dir' in source ? source.dir : 'built-in';
  return `${where} (${Object.keys(read.sources.files).length} Rego files, tests ${r.policy.tests.passed}/${r.policy.tests.total} passed)${r.cached ? ' (cached)' : ''}`;
}

/** Reaches the database without creating it, and refuses one a newer Tollgate has migrated. */
async function checkDatabase(config: GatewayConfig): Promise<string> {
  const { url } = config.database;
  const file = databaseFile(url);
  if (url === ':memory:') return ':memory: (nothing is kept)';
  if (file && !existsSync(file)) return `${url} (not created yet; serve creates it)`;
  const store = await openStore(config.database);
  try {
    const newer = await newerMigrations(store.client);
    if (newer.length) throw new DatabaseError(url, new NewerDatabaseError(newer).message);
    return `${displayUrl(url)} (reachable)`;
  } finally {
    store.close();
  }
}
