import { Command, CommanderError } from 'commander';
import type { PolicyCommandOptions } from './policy.ts';
import { consoleIo } from './io.ts';
import { describeFailure, oneLineErrors, unknownCommand } from './guard.ts';

declare const TOLLGATE_VERSION: string | undefined;

/**
 * The commands, in help order, each loaded only when it runs (or for the full help): `--version`
 * loads none, `tollgate keys list` only keys and what it imports, never the gateway or the
 * Rego compiler.
 */
const COMMANDS: Record<string, (opts: Required<Pick<PolicyCommandOptions, 'io'>> & PolicyCommandOptions) => Promise<Command>> = {
  serve: async () => (await import('./serve.ts')).serveCommand(),
  init: async () => (await import('./init.ts')).initCommand(),
  doctor: async () => (await import('./doctor.ts')).doctorCommand(),
  config: async () => (await import('./config.ts')).configCommand(),
  keys: async () => (await import('./keys.ts')).keysCommand(),
  policy: async ({ io, env }) => (await import('./policy.ts')).policyCommand({ io, env }),
  teams: async () => (await import('./teams.ts')).teamsCommand(),
  usage: async () => (await import('./usage.ts')).usageCommand(),
  users: async () => (await import('./users.ts')).usersCommand(),
  audit: async () => (await import('./audit.ts')).auditCommand(),
  cache: async () => (await import('./cache.ts')).cacheCommand(),
};
const NAMES = Object.keys(COMMANDS);
const DEFAULT = 'serve';

/**
 * Which commands `argv` needs defined: the one it names (`help NAME` too), none for the version,
 * every one for the command list (`--help`, `help`), else the default (`serve`, which takes
 * every argument that names no command: `tollgate --port 4000`).
 */
export function commandsFor(argv: readonly string[]): string[] {
  const [first, second] = argv;
  if (first === '-V' || first === '--version') return [];
  if (first === 'help') return second !== undefined && NAMES.includes(second) ? [second] : NAMES;
  if (first === '-h' || first === '--help') return NAMES;
  if (first !== undefined && NAMES.includes(first)) return [first];
  return [DEFAULT];
}

/**
 * Parses argv and runs one command; returns the exit code. `serve` is the default. `io` and
 * `env` reach the policy commands (tests run them in-process); the others use the console.
 */
export async function runCli(argv: string[], opts: PolicyCommandOptions = {}): Promise<number> {
  const io = opts.io ?? consoleIo;
  const unknown = unknownCommand(argv, [...NAMES, 'help']);
  if (unknown) {
    io.err(unknown);
    return 2;
  }
  try {
    const program = new Command()
      .name('tollgate')
      .description('Tollgate: a self-hosted LLM gateway (OpenAI- and Anthropic-compatible).')
      .version(typeof TOLLGATE_VERSION === 'string' ? TOLLGATE_VERSION : 'dev')
      .exitOverride();
    const wanted = commandsFor(argv);
    const loaded = await Promise.all(wanted.map((name) => COMMANDS[name]!({ ...opts, io })));
    for (const cmd of loaded) program.addCommand(cmd, { isDefault: cmd.name() === DEFAULT });
    oneLineErrors(program);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    // Nothing reaches the user as a stack trace unless asked for (TOLLGATE_DEBUG=1).
    io.err(describeFailure(e, opts.env));
    return 1;
  }
}
