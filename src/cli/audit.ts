import type { Command } from 'commander';
import { listAudit, recordAudit, type AuditEntry } from '../store/audit.ts';
import type { Store } from '../store/client.ts';
import { auditQuery } from '../server/routes/admin/schemas.ts';
import { auditView } from '../server/routes/admin/views.ts';
import { commandGroup, consoleIo, outputFormat, parseFlags, runAction, table, usingStore, withConfig, type Io } from './parse-action.ts';

/**
 * Runs a management action and records it in the audit log as done from the CLI. The entry is
 * written after the action commits; if it cannot be, the command fails saying so.
 */
export async function audited<T>(store: Store, work: Promise<T>, entry: (result: T) => Pick<AuditEntry, 'action' | 'target' | 'detail'>): Promise<T> {
  const result = await work;
  await recordAudit(store, { ...entry(result), actor: 'cli', source: 'cli' });
  return result;
}

/** `tollgate audit [--since 7d] [--json]` — the admin actions recorded in the database, oldest first. */
export function auditCommand(io: Io = consoleIo): Command {
  return withConfig(commandGroup('audit', 'The audit log: admin actions (keys, teams, users, reloads), who made them and from where', io))
    .option('--since <when>', 'start: a duration back from now (30d, 12h) or an ISO date', '30d')
    .option('--limit <n>', 'at most this many entries (the newest)', '1000')
    .option('--json', 'print JSON instead of a table')
    .option('--format <format>', 'table or json', 'table')
    .action((o: { since?: string; limit?: string; json?: boolean; format?: string; config?: string }) =>
      runAction(io, async () => {
        const format = o.json ? 'json' : outputFormat(o.format, ['table', 'json']);
        const q = parseFlags(auditQuery, { since: o.since, limit: o.limit });
        const rows = (await usingStore(io, o.config, 'read', (store) => listAudit(store, q))).map(auditView);
        if (format === 'json') io.out(JSON.stringify(rows, null, 2));
        else io.out(table(['AT', 'ACTOR', 'FROM', 'ACTION', 'TARGET', 'DETAIL'], rows.map((r) => [r.at.slice(0, 19).replace('T', ' '), r.actor, r.source, r.action, r.target ?? '-', r.detail ? JSON.stringify(r.detail) : '-'])));
      }),
    );
}
