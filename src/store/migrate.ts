import type { Client } from '@libsql/client';
import { MIGRATIONS } from './migrations/index.ts';

/**
 * Applies the embedded drizzle-kit migrations that this database has not seen, each in one
 * transaction. An empty database and an older one both end up at the current schema.
 */
export async function migrate(client: Client): Promise<string[]> {
  await client.execute('CREATE TABLE IF NOT EXISTS tollgate_migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const done = new Set((await client.execute('SELECT tag FROM tollgate_migrations')).rows.map((r) => String(r.tag)));
  const applied: string[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.tag)) continue;
    const statements = m.sql.split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean);
    await client.batch(
      [...statements, { sql: 'INSERT INTO tollgate_migrations (tag, applied_at) VALUES (?, ?)', args: [m.tag, Date.now()] }],
      'write',
    );
    applied.push(m.tag);
  }
  return applied;
}
