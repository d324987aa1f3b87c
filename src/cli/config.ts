import { Command } from 'commander';
import { ConfigError, formatProblem } from '../config/load.ts';
import { configSource } from './config-source.ts';
import { unpricedModels, unpricedWarning } from '../pricing/unpriced.ts';

/** `tollgate config check [file]` */
export function configCommand(): Command {
  const cmd = new Command('config').description('Work with gateway.config.yaml');
  cmd
    .command('check')
    .description('Validate a config file (default: ./gateway.config.yaml or the embedded one)')
    .argument('[file]', 'config file')
    .action(async (file?: string) => {
      const src = configSource(file);
      try {
        const { config, skipped } = await src.load();
        const models = Object.keys(config.models).length;
        console.log(`${src.path ?? 'embedded config'}: OK (${Object.keys(config.providers).length} providers, ${models} models)`);
        for (const s of skipped) console.log(`  provider '${s.provider}' is off: ${s.missing.join(', ')} not set`);
        for (const u of unpricedModels(config)) console.error(`  ${unpricedWarning(u)}`);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (const p of e.problems) console.error(formatProblem(p));
        process.exitCode = 1;
      }
    });
  return cmd;
}
