import type { Command } from 'commander';
import { cacheStats, purgeCacheEntries } from '../store/cache-entries.ts';
import type { Store } from '../store/client.ts';
import { removeVectorsEverywhere } from '../cache/semantic-store.ts';
import { auditEntry } from '../server/routes/admin/audit-entries.ts';
import { cacheFilterQuery, cacheStatsView } from '../server/routes/admin/cache.ts';
import { audited } from './audit.ts';
import { commandGroup, consoleIo, outputFormat, parseFlags, runAction, table, usingStore, withConfig, type Io } from './parse-action.ts';

/** `tollgate cache stats|purge [--team T] [--model M]` — the response cache in the database. */
export function cacheCommand(io: Io = consoleIo): Command {
  const cmd = commandGroup('cache', 'The response cache: what it holds and what it saved; purge entries', io);
  const filtered = (c: Command) => withConfig(c).option('--team <team>', "only this team's entries").option('--model <model>', 'only entries of this public model name');

  filtered(cmd.command('stats'))
    .description('Entries, bytes, hits and the spend the hits saved')
    .option('--format <format>', 'table or json', 'table')
    .action((o: Record<string, string | undefined>) =>
      runAction(io, async () => {
        const format = outputFormat(o.format, ['table', 'json']);
        const filter = parseFlags(cacheFilterQuery, { team: o.team, model: o.model });
        const view = cacheStatsView(await usingStore(io, o.config, 'read', (store) => cacheStats(store, filter, Date.now())));
        if (format === 'json') io.out(JSON.stringify(view, null, 2));
        else io.out(table(['ENTRIES', 'BYTES', 'EXPIRED', 'HITS', 'SAVED_USD'], [[String(view.entries), String(view.bytes), String(view.expired_entries), String(view.hits), view.saved_usd.toFixed(6)]]));
      }),
    );

  filtered(cmd.command('purge'))
    .description("Delete entries (all, or a team's or a model's); running gateways see it at their next lookup")
    .action((o: Record<string, string | undefined>) =>
      runAction(io, async () => {
        const filter = parseFlags(cacheFilterQuery, { team: o.team, model: o.model });
        // The semantic vectors of the purged entries go too, as the admin API's purge takes them.
        const purge = (store: Store) => purgeCacheEntries(store, filter).then(async (keys) => (await removeVectorsEverywhere(store.client, keys), keys));
        const removed = await usingStore(io, o.config, 'write', (store) => audited(store, purge(store), (keys) => auditEntry.cachePurge(filter, keys.length)));
        io.out(`purged ${removed.length} cache ${removed.length === 1 ? 'entry' : 'entries'}`);
      }),
    );
  return cmd;
}
