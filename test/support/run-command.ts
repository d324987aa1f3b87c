import { CommanderError, type Command } from 'commander';

/** Runs one CLI command in-process and returns its exit code, as the binary would exit. */
export async function runCommand(cmd: Command, argv: string[]): Promise<number> {
  process.exitCode = 0;
  try {
    await cmd.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return e.exitCode;
  } finally {
    process.exitCode = 0;
  }
}
