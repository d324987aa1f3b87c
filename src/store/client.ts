import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as schema from './schema.ts';

export interface DatabaseOptions {
  /** `file:./data/tollgate.db`, `:memory:`, `http://host:8080` (sqld), `libsql://…` (Turso). */
  url: string;
  auth_token?: string;
  /** With a `file:` url: an embedded replica synced from this server. */
  sync_url?: string;
  sync_interval_s?: number;
}

export interface Store {
  client: Client;
  db: LibSQLDatabase<typeof schema>;
  close(): void;
}

/** Opens the database: a local file (WAL), a remote libSQL server, or an embedded replica. */
export async function openStore(opts: DatabaseOptions): Promise<Store> {
  const url = opts.url === ':memory:' ? ':memory:' : opts.url;
  if (url.startsWith('file:')) mkdirSync(dirname(url.slice('file:'.length)), { recursive: true });
  // One connection for a local file: statements run synchronously on this thread anyway, and
  // per-connection settings (synchronous, busy_timeout) then hold for every statement.
  const client = createClient({ url, authToken: opts.auth_token, syncUrl: opts.sync_url, concurrency: url.startsWith('file:') ? 1 : undefined, timeout: 5000 });
  if (url.startsWith('file:') && !opts.sync_url) {
    await client.execute('PRAGMA journal_mode=WAL');
    await client.execute('PRAGMA busy_timeout=5000');
    // In WAL mode NORMAL cannot corrupt the database; it only lets an OS crash or power loss
    // drop the last commits, not a process crash (kill -9). FULL fsyncs every commit.
    await client.execute('PRAGMA synchronous=NORMAL');
  }
  // The replica is synced by our own timer rather than the client's syncInterval, whose native
  // sync loop outlives close() and keeps calling a server that may be gone.
  let timer: ReturnType<typeof setInterval> | undefined;
  if (opts.sync_url) {
    await client.sync();
    timer = setInterval(() => void client.sync().catch(() => undefined), (opts.sync_interval_s ?? 1) * 1000);
    timer.unref?.();
  }
  return {
    client,
    db: drizzle(client, { schema }),
    close: () => {
      clearInterval(timer);
      client.close();
    },
  };
}
