import { Command, CommanderError } from 'commander';
import { serveCommand } from './serve.ts';
import { configCommand } from './config.ts';
import { doctorCommand } from './doctor.ts';
import { initCommand } from './init.ts';
import { keysCommand } from './keys.ts';
import { policyCommand, type PolicyCommandOptions } from './policy.ts';
import { consoleIo } from './parse-action.ts';
import { teamsCommand } from './teams.ts';
import { usageCommand } from './usage.ts';
import { usersCommand } from './users.ts';
import { describeFailure, oneLineErrors, unknownCommand } from './guard.ts';

declare const TOLLGATE_VERSION: string | undefined;

/**
 * Parses argv and runs one command; returns the exit code. `serve` is the default. `io` and
 * `env` reach the policy commands (tests run them in-process); the others use the console.
 */
export async function runCli(argv: string[], opts: PolicyCommandOptions = {}): Promise<number> {
  const io = opts.io ?? consoleIo;
  const program = new Command()
    .name('tollgate')
    .description('Tollgate: a self-hosted LLM gateway (OpenAI- and Anthropic-compatible).')
    .version(typeof TOLLGATE_VERSION === 'string' ? TOLLGATE_VERSION : 'dev')
    .exitOverride();
  program.addCommand(serveCommand(), { isDefault: true });
  program.addCommand(initCommand());
  program.addCommand(doctorCommand());
  program.addCommand(configCommand());
  program.addCommand(keysCommand());
  program.addCommand(policyCommand({ io, env: opts.env }));
  program.addCommand(teamsCommand());
  program.addCommand(usageCommand());
  program.addCommand(usersCommand());
  oneLineErrors(program);
  const unknown = unknownCommand(argv, [...program.commands.map((c) => c.name()), 'help']);
  if (unknown) {
    io.err(unknown);
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    // Nothing reaches the user as a stack trace unless asked for (TOLLGATE_DEBUG=1).
    io.err(describeFailure(e, opts.env));
    return 1;
  }
}
