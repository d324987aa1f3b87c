import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseThread } from './database-thread.ts';
import { openLocalReady } from './local-client.ts';
import * as schema from './schema.ts';
import { describeStorageCause, storageCause, withStorageErrors } from './storage-errors.ts';

export interface DatabaseOptions {
  /** `file:./data/tollgate.db`, `:memory:`, `http://host:8080` (sqld), `libsql://…` (Turso). */
  url: string;
  auth_token?: string;
  /** With a `file:` url: an embedded replica synced from this server. */
  sync_url?: string;
  sync_interval_s?: number;
  /**
   * With a local file: how long its database thread may answer nothing before waiting statements
   * fail as storage failures (503, the ledger journals). As long as busy_timeout: a lock held
   * by another process that long is as much an outage as a frozen disk.
   */
  statement_timeout_ms?: number;
}

export interface Store {
  client: Client;
  /**
   * Tollgate's migrations, already under way on the database thread (openStore with `migrate`,
   * a local file): the tags applied. Otherwise the opener runs migrate() itself.
   */
  migrated?: Promise<string[]>;
  db: LibSQLDatabase<typeof schema>;
  close(): void;
}

/** A database that cannot be opened or used; the message names it and says what to do. */
export class DatabaseError extends Error {
  constructor(readonly url: string, reason: string) {
    super(`database ${displayUrl(url)}: ${reason}`);
    this.name = 'DatabaseError';
  }
}

/** The URL without a token in its query string, for messages. */
export const displayUrl = (url: string) => url.replace(/(authToken=)[^&]+/i, '$1***');

const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the database: a local file (WAL), a remote libSQL server, or an embedded replica. A
 * local file is opened on `thread` when given (started ahead by `serve`); it is closed otherwise.
 * `migrate`: a local file's migrations start on its thread at once (`Store.migrated`).
 */
export async function openStore(opts: DatabaseOptions, thread?: DatabaseThread, then: { migrate?: boolean } = {}): Promise<Store> {
  const url = opts.url === ':memory:' ? ':memory:' : opts.url;
  const file = url.startsWith('file:') ? url.slice('file:'.length).split('?')[0]! : undefined;
  if (file) {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (e) {
      throw new DatabaseError(url, `cannot create the directory ${dirname(file)} (${codeOf(e)}); fix database.url or the permissions`);
    }
  }
  const local = !!file && !opts.sync_url;
  if (!local) thread?.close();
  // A local file (not a replica, whose sync is network work of its own) is read and written on
  // a thread of its own: the native addon runs each statement synchronously, and a hung disk
  // must not stall the event loop. It keeps one connection, so per-connection settings
  // (synchronous, busy_timeout) hold for every statement and transactions are serialised. Its
  // settings and migrations are queued behind the open at once (openLocalReady).
  const opening = local ? openLocalReady({ url, authToken: opts.auth_token, timeoutMs: opts.statement_timeout_ms ?? BUSY_TIMEOUT_MS, busyTimeoutMs: BUSY_TIMEOUT_MS }, thread, !!then.migrate) : undefined;
  let client: Client;
  try {
    client = opening ? await opening.client : createClient({ url, authToken: opts.auth_token, syncUrl: opts.sync_url, concurrency: file ? 1 : undefined, timeout: 5000 });
  } catch (e) {
    throw new DatabaseError(url, `not a usable URL (${messageOf(e)}); fix database.url`);
  }
  try {
    if (opening) await opening.setup;
    // Remote clients connect lazily; find out now, not on the first request.
    else if (!opts.sync_url) await client.execute('SELECT 1');
  } catch (e) {
    client.close();
    const cause = storageCause(e);
    if (cause) throw new DatabaseError(url, describeStorageCause(cause));
    throw new DatabaseError(url, file ? `cannot open it (${messageOf(e)}); is it a Tollgate database?` : `cannot reach it (${messageOf(e)}); check database.url, database.auth_token and that the server is running`);
  }
  // The replica is synced by our own timer rather than the client's syncInterval, whose native
  // sync loop outlives close() and keeps calling a server that may be gone.
  let timer: ReturnType<typeof setInterval> | undefined;
  if (opts.sync_url) {
    await client.sync().catch((e: unknown) => {
      client.close();
      throw new DatabaseError(opts.sync_url!, `cannot sync the replica from it (${messageOf(e)}); check database.sync_url and that the server is running`);
    });
    timer = setInterval(() => void client.sync().catch(() => undefined), (opts.sync_interval_s ?? 1) * 1000);
    timer.unref?.();
  }
  const guarded = withStorageErrors(client);
  return {
    client: guarded,
    migrated: opening?.migrated,
    db: drizzle(guarded, { schema }),
    close: () => {
      clearInterval(timer);
      client.close();
    },
  };
}

/**
 * A failure while the gateway starts (migrations, the first writes) as one line naming the
 * database and the cause; anything that is not a storage failure is returned unchanged.
 */
export function startupError(url: string, e: unknown): unknown {
  const cause = storageCause(e);
  return cause ? new DatabaseError(url, describeStorageCause(cause)) : e;
}

function codeOf(e: unknown): string {
  return e && typeof e === 'object' && 'code' in e ? String(e.code) : messageOf(e);
}

/** The first line of an error's message: libSQL errors can be long and multi-line. */
function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 200);
}
