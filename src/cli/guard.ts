import type { Command } from 'commander';
import { closest } from '../config/suggest.ts';

/** Errors whose message is already the one line to print (no "unexpected" and no stack). */
const KNOWN = new Set(['ConfigError', 'DatabaseError', 'UsageError', 'GatewayError', 'NewerDatabaseError', 'CliError', 'PolicyLoadError']);

/** A failure with a message written for the user: printed as `error: …`, exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * The one line printed for an exception that reached the top: its message for the errors we
 * raise ourselves; for anything else the message and how to see the stack (TOLLGATE_DEBUG=1).
 */
export function describeFailure(e: unknown, env: Record<string, string | undefined> = process.env): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const first = err.message.split('\n')[0]!;
  if (env.TOLLGATE_DEBUG === '1' || env.TOLLGATE_DEBUG === 'true') return `error: ${err.stack ?? first}`;
  if (KNOWN.has(err.name)) return err.name === 'ConfigError' ? err.message : `error: ${first}`;
  return `error: ${first} (unexpected; run with TOLLGATE_DEBUG=1 to see where, and please report it)`;
}

/**
 * `tollgate kyes list`: commander would hand `kyes` to the default command (serve) and complain
 * about its arguments. A first word that is no command and no option is refused here instead.
 */
export function unknownCommand(argv: readonly string[], commands: readonly string[]): string | undefined {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || commands.includes(first)) return undefined;
  const near = closest(first, commands);
  return `error: unknown command '${first}'${near ? ` (did you mean '${near}'?)` : ''}; run 'tollgate --help' for the commands`;
}

/** Commander's "unknown command 'lsit'" + "(Did you mean list?)" on one line, for every command. */
export function oneLineErrors(cmd: Command): void {
  cmd.configureOutput({
    outputError: (text, write) => write(text.replace(/\n\(Did you mean (.+)\?\)\n?$/, " (did you mean '$1'?)\n")),
  });
  for (const sub of cmd.commands) oneLineErrors(sub);
}
