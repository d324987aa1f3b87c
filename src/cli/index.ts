import { Command, CommanderError } from 'commander';
import { serveCommand } from './serve.ts';
import { configCommand } from './config.ts';
import { doctorCommand } from './doctor.ts';
import { initCommand } from './init.ts';
import { keysCommand } from './keys.ts';
import { policyCommand } from './policy.ts';
import { teamsCommand } from './teams.ts';
import { usageCommand } from './usage.ts';
import { usersCommand } from './users.ts';
import { describeFailure, oneLineErrors, unknownCommand } from './guard.ts';

declare const TOLLGATE_VERSION: string | undefined;

/** Parses argv and runs one command; returns the exit code. `serve` is the default. */
export async function runCli(argv: string[]): Promise<number> {
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
  program.addCommand(policyCommand());
  program.addCommand(teamsCommand());
  program.addCommand(usageCommand());
  program.addCommand(usersCommand());
  oneLineErrors(program);
  const unknown = unknownCommand(argv, [...program.commands.map((c) => c.name()), 'help']);
  if (unknown) {
    console.error(unknown);
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    // Nothing reaches the user as a stack trace unless asked for (TOLLGATE_DEBUG=1).
    console.error(describeFailure(e));
    return 1;
  }
}
