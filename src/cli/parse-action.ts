import { Command, CommanderError } from 'commander';
import type { z } from 'zod';
import { existsSync } from 'node:fs';
import { databaseFile } from '../config/database-url.ts';
import { ConfigError, formatProblem, type StoreConfig } from '../config/load.ts';
import { DatabaseError, displayUrl, openStore, type Store } from '../store/client.ts';
import { migrate, NewerDatabaseError } from '../store/migrate.ts';
import { configSource } from './config-source.ts';
import { describeFailure } from './guard.ts';
import type { Io } from './io.ts';

/*
 * The plumbing shared by the database commands (keys, teams, usage): flag validation with the
 * admin API's schemas, the configured database, exit codes (2 = bad flags, 1 = failed) and
 * one-line error messages instead of stack traces.
 */

export { consoleIo, type Io } from './io.ts';

/** Bad flags: printed as `error: …`, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A command group whose subcommands (made with `.command()`) write to `io` and exit 2 on usage errors. */
export function commandGroup(name: string, description: string, io: Io): Command {
  return new Command(name)
    .description(description)
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .exitOverride((e) => {
      throw e.exitCode === 0 ? e : new CommanderError(2, e.code, e.message);
    });
}

/** Adds `--config` (as `serve` has it) to a command. */
export const withConfig = (cmd: Command) => cmd.option('-c, --config <file>', 'config file whose `database` to use (default: ./gateway.config.yaml, else the embedded defaults)');

/** Validates flag values with an admin schema; a failure names the flag. */
export function parseFlags<S extends z.ZodType>(schema: S, flags: Record<string, unknown>): z.infer<S> {
  const input = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length ? String(issue.path[0]) : issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  throw new UsageError(field ? `--${field.replace(/_/g, '-')}: ${issue.message}` : issue.message);
}

/** `60` → 60; `none` → null where clearing is allowed; anything else is a usage error. */
export function intFlag(flag: string, v: string | undefined, { clearable = false } = {}): number | null | undefined {
  if (v === undefined) return undefined;
  if (clearable && v === 'none') return null;
  const none = clearable ? " or 'none'" : '';
  if (/^0+$/.test(v)) throw new UsageError(`--${flag}: expected a positive integer${none}, got '${v}' (to have no limit, ${clearable ? `pass --${flag} none` : `leave --${flag} out`})`);
  if (!/^\d{1,10}$/.test(v)) throw new UsageError(`--${flag}: expected a positive integer${none}, got '${v}'`);
  return Number(v);
}

/** `--metadata '{"owner":"ana"}'` → an object. */
export function jsonFlag(flag: string, v: string | undefined): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new UsageError(`--${flag}: expected a JSON object, got '${v}'`);
  }
}

/** Checks `--format` against the formats a command supports. */
export function outputFormat<F extends string>(value: string | undefined, allowed: readonly F[]): F {
  const f = allowed.find((a) => a === value);
  if (!f) throw new UsageError(`--format: expected ${allowed.join(' or ')}, got '${value}'`);
  return f;
}

/** Runs an action body; failures become a one-line message and an exit code, never a stack trace. */
export async function runAction(io: Io, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (e instanceof ConfigError) for (const p of e.problems) io.err(formatProblem(p));
    else io.err(describeFailure(e));
    process.exitCode = e instanceof UsageError ? 2 : 1;
  }
}

/** What a command does with the database: a read must not create an empty one by mistake. */
export type StoreAccess = 'read' | 'write';

/**
 * Opens (and migrates) the database named by the config's `database` section, runs `fn`,
 * closes it. Says on stderr which database, since a relative path or another config picks
 * another file. Only `database` and `keys` must be valid: provider secrets may be unset.
 */
export async function usingStore<T>(io: Io, configPath: string | undefined, access: StoreAccess, fn: (store: Store, config: StoreConfig) => Promise<T>): Promise<T> {
  const src = configSource(configPath);
  const config = await src.loadStore();
  const { url } = config.database;
  io.err(`database: ${displayUrl(url)} (${src.path ? `database.url in ${src.path}` : 'embedded defaults, relative to the current directory'})`);
  const file = databaseFile(url);
  if (access === 'read' && file && !existsSync(file)) {
    throw new DatabaseError(url, `does not exist, so there is nothing to read (pass --config with your gateway's config file, or run where it is; keys create or serve creates the database)`);
  }
  const store = await openStore(config.database);
  try {
    await migrate(store.client).catch((e: unknown) => {
      throw e instanceof NewerDatabaseError ? new DatabaseError(url, e.message) : e;
    });
    return await fn(store, config);
  } finally {
    store.close();
  }
}

/** Left-aligned text columns, right-aligned numbers. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cells = (i: number) => rows.map((r) => r[i] ?? '');
  const numeric = headers.map((_, i) => cells(i).some((c) => /\d/.test(c)) && cells(i).every((c) => /^(-|-?\d[\d.,]*)$/.test(c)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
