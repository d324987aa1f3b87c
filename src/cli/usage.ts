import type { Command } from 'commander';
import { DIMENSIONS, reportCsv, reportRecords, type UsageReport } from '../store/usage-report.ts';
import { usageFor } from '../server/routes/admin/ops.ts';
import { usageQuery } from '../server/routes/admin/schemas.ts';
import { usageView } from '../server/routes/admin/views.ts';
import { commandGroup, consoleIo, outputFormat, parseFlags, runAction, table, usingStore, withConfig, type Io } from './parse-action.ts';

const COLUMNS: [field: string, header: string][] = [
  ['requests', 'REQUESTS'],
  ['input_tokens', 'INPUT'],
  ['output_tokens', 'OUTPUT'],
  ['cached_input_tokens', 'CACHED'],
  ['reasoning_tokens', 'REASONING'],
  ['cost_usd', 'COST_USD'],
  ['errors', 'ERRORS'],
];

/** `tollgate usage` — the usage ledger grouped and totalled, as a table, JSON or CSV. */
export function usageCommand(io: Io = consoleIo): Command {
  // A group with one action of its own, so it shares the exit codes and output of keys and teams.
  return withConfig(commandGroup('usage', 'Usage and cost from the ledger, grouped, with totals', io))
    .option('--by <dims>', `comma-separated grouping: ${DIMENSIONS.join(', ')}`, 'team,model')
    .option('--since <when>', 'start: a duration back from now (30d, 12h) or an ISO date', '30d')
    .option('--until <when>', 'end (exclusive): a duration back from now or an ISO date; default now')
    .option('--team <team>', 'only this team')
    .option('--key <key>', 'only this key (id, prefix or name; config keys by name)')
    .option('--format <format>', 'table, json or csv', 'table')
    .action((o: Record<string, string | undefined>) =>
      runAction(io, async () => {
        const format = outputFormat(o.format, ['table', 'json', 'csv']);
        const q = parseFlags(usageQuery, { by: o.by, since: o.since, until: o.until, team: o.team, key: o.key });
        const report = await usingStore(io, o.config, 'read', (store, config) => usageFor(store, q, config.keys));
        if (format === 'json') io.out(JSON.stringify(usageView(report), null, 2));
        else if (format === 'csv') io.write(reportCsv(report));
        else io.out(usageTable(report));
      }),
    );
}

function usageTable(report: UsageReport): string {
  const records = reportRecords(report);
  const groupCols = Object.keys(records[0]!).filter((k) => !COLUMNS.some(([f]) => f === k) && k !== 'cost_micros');
  const fields = [...groupCols, ...COLUMNS.map(([f]) => f)];
  const headers = [...groupCols.map((c) => c.toUpperCase()), ...COLUMNS.map(([, h]) => h)];
  return table(
    headers,
    records.map((r) => fields.map((f) => (r[f] == null ? '-' : String(r[f])))),
  );
}
