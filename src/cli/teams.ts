import type { Command } from 'commander';
import { createTeam, deleteTeam, listTeams, updateTeam } from '../store/teams.ts';
import { createTeamBody, updateTeamBody } from '../server/routes/admin/schemas.ts';
import { percentList, splitList } from '../server/routes/admin/values.ts';
import { auditEntry } from '../server/routes/admin/audit-entries.ts';
import { audited } from './audit.ts';
import { budgetText, teamView, type TeamView } from '../server/routes/admin/views.ts';
import { commandGroup, consoleIo, intFlag, jsonFlag, outputFormat, parseFlags, runAction, table, usingStore, withConfig, type Io } from './parse-action.ts';

/** `tollgate teams create|list|update|delete` — teams, their budgets, limits and allowed models. */
export function teamsCommand(io: Io = consoleIo): Command {
  const cmd = commandGroup('teams', 'Teams: budgets, rate limits and allowed models shared by their keys', io);
  const limitOptions = (c: Command, clear: string) =>
    c
      .option('--name <name>', 'display name')
      .option('--budget <usd/period>', `spend limit, e.g. 500/month${clear}`)
      .option('--budget-alerts <percents>', `alert thresholds in percent of the budget, e.g. 80,100${clear}`)
      .option('--rpm <n>', `requests per minute${clear}`)
      .option('--tpm <n>', `tokens per minute${clear}`)
      .option('--models <globs>', `comma-separated model patterns its keys may call${clear}`);

  limitOptions(withConfig(cmd.command('create')), '')
    .description('Create a team')
    .argument('<id>', 'team id, e.g. ml (what keys name with --team)')
    .option('--metadata <json>', 'a JSON object kept with the team')
    .action((id: string, o: Record<string, string | undefined>) =>
      runAction(io, async () => {
        const input = parseFlags(createTeamBody, {
          id,
          name: o.name,
          budget: o.budget,
          budget_alerts: o.budgetAlerts === undefined ? undefined : percentList(o.budgetAlerts),
          rpm: intFlag('rpm', o.rpm),
          tpm: intFlag('tpm', o.tpm),
          models: o.models === undefined ? undefined : splitList(o.models),
          metadata: jsonFlag('metadata', o.metadata),
        });
        const row = await usingStore(io, o.config, 'write', (store) => audited(store, createTeam(store, input), (r) => auditEntry.teamCreate(r.id)));
        io.out(teamsTable([teamView(row)]));
      }),
    );

  withConfig(cmd.command('list'))
    .description('List teams')
    .option('--format <format>', 'table or json', 'table')
    .action((o: { format?: string; config?: string }) =>
      runAction(io, async () => {
        const format = outputFormat(o.format, ['table', 'json']);
        const views = (await usingStore(io, o.config, 'read', listTeams)).map(teamView);
        io.out(format === 'json' ? JSON.stringify(views, null, 2) : teamsTable(views));
      }),
    );

  limitOptions(withConfig(cmd.command('update')), " ('none' removes it)")
    .description('Change a team; options left out stay as they are')
    .argument('<id>', 'team id')
    .action((id: string, o: Record<string, string | undefined>) =>
      runAction(io, async () => {
        const clear = <T>(v: string | undefined, parse: (s: string) => T) => (v === undefined ? undefined : v === 'none' ? null : parse(v));
        const patch = parseFlags(updateTeamBody, {
          name: o.name,
          budget: clear(o.budget, (s) => s),
          budget_alerts: clear(o.budgetAlerts, percentList),
          rpm: intFlag('rpm', o.rpm, { clearable: true }),
          tpm: intFlag('tpm', o.tpm, { clearable: true }),
          models: clear(o.models, splitList),
        });
        const row = await usingStore(io, o.config, 'write', (store) => audited(store, updateTeam(store, id, patch), (r) => auditEntry.teamUpdate(r.id, patch)));
        io.out(teamsTable([teamView(row)]));
      }),
    );
  withConfig(cmd.command('delete'))
    .description('Delete a team; refused while live keys belong to it, unless --force (which revokes them)')
    .argument('<id>', 'team id')
    .option('--force', "revoke the team's live keys and delete it")
    .action((id: string, o: { force?: boolean; config?: string }) =>
      runAction(io, async () => {
        const { team, revoked } = await usingStore(io, o.config, 'write', (store) => audited(store, deleteTeam(store, id, { force: o.force === true, forceHint: '--force' }), (r) => auditEntry.teamDelete(r.team.id, r.revoked)));
        io.out(`deleted team ${team.id}${revoked.length ? `; revoked ${revoked.length} key${revoked.length === 1 ? '' : 's'}: ${revoked.join(', ')}` : ''}`);
      }),
    );
  return cmd;
}

function teamsTable(teams: TeamView[]): string {
  return table(
    ['ID', 'NAME', 'BUDGET', 'RPM', 'TPM', 'MODELS'],
    teams.map((t) => [t.id, t.name, budgetText(t.budget), t.rpm == null ? '-' : String(t.rpm), t.tpm == null ? '-' : String(t.tpm), t.models?.join(',') ?? '*']),
  );
}
