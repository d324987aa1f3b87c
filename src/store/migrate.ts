import type { Client } from '@libsql/client';
import { MIGRATIONS } from './migrations/index.ts';

/** The database was migrated by a newer Tollgate: this one would misread its tables. */
export class NewerDatabaseError extends Error {
  constructor(readonly tags: string[]) {
    super(`the database has migrations this Tollgate does not know (${tags.join(', ')}): a newer Tollgate wrote it; run that version or newer, or point database.url at another database`);
    this.name = 'NewerDatabaseError';
  }
}

const unknownMigrations = (done: Set<string>) => [...done].filter((t) => !MIGRATIONS.some((m) => m.tag === t)).sort();

/** Migration tags recorded in the database that this build does not ship (none for a new database). */
export async function newerMigrations(client: Client): Promise<string[]> {
  const table = await client.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tollgate_migrations'");
  if (!table.rows.length) return [];
  return unknownMigrations(new Set((await client.execute('SELECT tag FROM tollgate_migrations')).rows.map((r) => String(r.tag))));
}

/**
 * Applies the embedded drizzle-kit migrations that this database has not seen, each in one
 * transaction. An empty database and an older one both end up at the current schema.
 */
export interface MigrateHooks {
  /** After each migration applied. */
  applied?(tag: string): void;
  /** Before each migration: true stops the run there (its caller gave up), with an error. */
  givenUp?(): boolean;
}

export async function migrate(client: Client, hooks: MigrateHooks = {}): Promise<string[]> {
  await client.execute('CREATE TABLE IF NOT EXISTS tollgate_migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const done = new Set((await client.execute('SELECT tag FROM tollgate_migrations')).rows.map((r) => String(r.tag)));
  const unknown = unknownMigrations(done);
  if (unknown.length) throw new NewerDatabaseError(unknown);
  const applied: string[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.tag)) continue;
    if (hooks.givenUp?.()) throw new Error(`gave up before migration ${m.tag}: the caller no longer waits; the rest are applied at the next start`);
    const statements = m.sql.split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean);
    await client.batch(
      [...statements, { sql: 'INSERT INTO tollgate_migrations (tag, applied_at) VALUES (?, ?)', args: [m.tag, Date.now()] }],
      'write',
    );
    applied.push(m.tag);
    hooks.applied?.(m.tag);
  }
  return applied;
}
