import { Command } from 'commander';
import { CliError } from './guard.ts';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import defaultConfigText from '../../gateway.config.yaml' with { type: 'text' };
import { EMBEDDED_POLICY_FILES } from '../policy/embedded/files.ts';
import { consoleIo, runAction, type Io } from './parse-action.ts';

/** A client request body for `tollgate policy eval --input req.json`; the model is the default config's first. */
export const SAMPLE_REQUEST = JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'Hello' }] }, null, 2) + '\n';

/** The built-in policies, their tests and the (inactive) sample data, as path → text under `dir`. */
export function policyFiles(dir: string): Record<string, string> {
  return Object.fromEntries(Object.entries(EMBEDDED_POLICY_FILES).map(([path, text]) => [join(dir, path), text]));
}

/** Writes every file, or none when one exists and `force` is off (then the error says which). */
export function writeAll(files: Record<string, string>, force: boolean): void {
  const existing = Object.keys(files).filter((f) => existsSync(f));
  if (existing.length > 0 && !force) {
    const more = existing.length > 1 ? ` (and ${existing.length - 1} more)` : '';
    throw new CliError(`${existing[0]} already exists${more}; nothing was written. Pass --force to overwrite.`);
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}

const NEXT_STEPS = `
Next:
  tollgate doctor                        # checks config, database, providers and policies
  tollgate policy test policies          # runs the policy tests
  tollgate policy eval --input req.json  # the decision for the sample request, rule by rule
  tollgate serve                         # starts the gateway (prints a curl to try)`;

/** `tollgate init [dir]` — a commented config, the built-in policies and a sample request. */
export function initCommand(io: Io = consoleIo): Command {
  return new Command('init')
    .description('Write a commented gateway.config.yaml, the built-in policies (policies/) and a sample req.json')
    .argument('[dir]', 'where to write them', '.')
    .option('--force', 'overwrite files that already exist')
    .action((dir: string, o: { force?: boolean }) =>
      runAction(io, async () => {
        const policies = policyFiles(join(dir, 'policies'));
        writeAll({ [join(dir, 'gateway.config.yaml')]: defaultConfigText, ...policies, [join(dir, 'req.json')]: SAMPLE_REQUEST }, o.force === true);
        const shown = (p: string) => relative(process.cwd(), p) || '.';
        io.out(`wrote ${shown(join(dir, 'gateway.config.yaml'))}  (the embedded defaults, commented; the mock provider needs no key)`);
        io.out(`wrote ${shown(join(dir, 'policies'))}/  (${Object.keys(policies).length} files: the built-in policies, their tests, sample data switched off)`);
        io.out(`wrote ${shown(join(dir, 'req.json'))}  (a sample request for \`tollgate policy eval\`)`);
        io.out(dir === '.' ? NEXT_STEPS : `${NEXT_STEPS.replace('\nNext:', `\nNext, in ${dir}:`)}`);
      }),
    );
}

/** `tollgate policy export [dir]` — the built-in policies alone. */
export function policyExportCommand(io: Io = consoleIo): Command {
  return new Command('export')
    .description('Write the built-in policies, their tests and the sample data (off) to a directory')
    .argument('[dir]', 'policy directory', 'policies')
    .option('--force', 'overwrite files that already exist')
    .action((dir: string, o: { force?: boolean }) =>
      runAction(io, async () => {
        const files = policyFiles(dir);
        writeAll(files, o.force === true);
        io.out(`wrote ${dir}/ (${Object.keys(files).length} files); check them with: tollgate policy test ${dir}`);
      }),
    );
}
