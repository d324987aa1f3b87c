import { Command } from 'commander';
import { ConfigError, formatProblem } from '../config/load.ts';
import { configSource } from './config-source.ts';
import { checkDatabase, checkPolicies, checkProvider, checkServer, checkSkipped, type Check } from './doctor-checks.ts';
import { userCompileCache } from '../policy/compile-cache.ts';
import { consoleIo, type Io } from './parse-action.ts';

const LABEL = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

/** `ok    database: file:… reachable` or `FAIL  policies: … — fix: …` */
export function formatCheck(c: Check): string {
  return `${LABEL[c.status]}  ${c.name}: ${c.detail}${c.fix ? ` — fix: ${c.fix}` : ''}`;
}

/** `tollgate doctor` — one line per check of what `serve` would start with; exit 1 on any FAIL. */
export function doctorCommand(io: Io = consoleIo): Command {
  return new Command('doctor')
    .description('Check the config, database, providers and policies; one line each, exit 1 if anything fails')
    .option('-c, --config <file>', 'config file (default: ./gateway.config.yaml, else the embedded defaults)')
    .action(async (o: { config?: string }) => {
      const checks: Check[] = [];
      const report = (c: Check) => {
        checks.push(c);
        io.out(formatCheck(c));
      };
      const src = configSource(o.config);
      const where = src.path ?? 'embedded defaults (no ./gateway.config.yaml)';
      try {
        const { config, skipped } = await src.load();
        report({ name: 'config', status: 'ok', detail: `${where} (${Object.keys(config.providers).length} providers, ${Object.keys(config.models).length} models)` });
        for (const c of checkServer(config)) report(c);
        report(await checkDatabase(config.database));
        const providers = await Promise.all(Object.entries(config.providers).map(([name, p]) => checkProvider(name, p)));
        for (const c of [...providers, ...checkSkipped(skipped)]) report(c);
        report(await checkPolicies(config, src.path, await userCompileCache()));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        const first = e.problems[0];
        const more = e.problems.length > 1 ? ` (and ${e.problems.length - 1} more)` : '';
        // A problem carries its own fix (in parentheses); with several, config check lists them all.
        const all = more ? `\`tollgate config check${src.path ? ' ' + src.path : ''}\` lists every problem` : undefined;
        report({ name: 'config', status: 'fail', detail: `${first ? formatProblem(first) : where}${more}`, fix: all });
      }
      const failed = checks.filter((c) => c.status === 'fail').length;
      const warned = checks.filter((c) => c.status === 'warn').length;
      io.out(failed ? `\n${failed} check(s) failed.` : `\nAll checks passed${warned ? ` (${warned} warning${warned > 1 ? 's' : ''})` : ''}.`);
      if (failed) process.exitCode = 1;
    });
}
