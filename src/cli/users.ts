import type { Command } from 'commander';
import { createUser, deleteUser, listUsers, updateUser } from '../store/users.ts';
import { auditEntry } from '../server/routes/admin/audit-entries.ts';
import { audited } from './audit.ts';
import { createUserBody, updateUserBody } from '../server/routes/admin/schemas.ts';
import { userView, type UserView } from '../server/routes/admin/views.ts';
import { commandGroup, consoleIo, outputFormat, parseFlags, runAction, table, usingStore, withConfig, type Io } from './parse-action.ts';

/** `tollgate users create|list|update|delete` — the people keys belong to (`keys create --user`). */
export function usersCommand(io: Io = consoleIo): Command {
  const cmd = commandGroup('users', 'Users: who keys belong to, and their team', io);
  withConfig(cmd.command('create'))
    .description('Create a user')
    .argument('<id>', 'user id, e.g. ana (what keys name with --user)')
    .option('--name <name>', 'display name')
    .option('--email <email>', 'email address')
    .option('--team <team>', 'team (created if new)')
    .action((id: string, o: Record<string, string | undefined>) =>
      runAction(io, async () => {
        const input = parseFlags(createUserBody, { id, name: o.name, email: o.email, team: o.team });
        const row = await usingStore(io, o.config, 'write', (store) => audited(store, createUser(store, input), (r) => auditEntry.userCreate(r.id)));
        io.out(usersTable([userView(row)]));
      }),
    );

  withConfig(cmd.command('list'))
    .description('List users')
    .option('--team <team>', 'only this team')
    .option('--format <format>', 'table or json', 'table')
    .action((o: { team?: string; format?: string; config?: string }) =>
      runAction(io, async () => {
        const format = outputFormat(o.format, ['table', 'json']);
        const views = (await usingStore(io, o.config, 'read', (store) => listUsers(store, { team: o.team }))).map(userView);
        io.out(format === 'json' ? JSON.stringify(views, null, 2) : usersTable(views));
      }),
    );

  withConfig(cmd.command('update'))
    .description('Change a user; options left out stay as they are')
    .argument('<id>', 'user id')
    .option('--name <name>', 'display name')
    .option('--email <email>', "email address ('none' removes it)")
    .option('--team <team>', "team ('none' removes it)")
    .action((id: string, o: Record<string, string | undefined>) =>
      runAction(io, async () => {
        const clear = (v: string | undefined) => (v === 'none' ? null : v);
        const patch = parseFlags(updateUserBody, { name: o.name, email: clear(o.email), team: clear(o.team) });
        const row = await usingStore(io, o.config, 'write', (store) => audited(store, updateUser(store, id, patch), (r) => auditEntry.userUpdate(r.id, patch)));
        io.out(usersTable([userView(row)]));
      }),
    );

  withConfig(cmd.command('delete'))
    .description('Delete a user; refused while live keys belong to it, unless --force (which revokes them)')
    .argument('<id>', 'user id')
    .option('--force', "revoke the user's live keys and delete it")
    .action((id: string, o: { force?: boolean; config?: string }) =>
      runAction(io, async () => {
        const { user, revoked } = await usingStore(io, o.config, 'write', (store) => audited(store, deleteUser(store, id, { force: o.force === true, forceHint: '--force' }), (r) => auditEntry.userDelete(r.user.id, r.revoked)));
        io.out(`deleted user ${user.id}${revoked.length ? `; revoked ${revoked.length} key${revoked.length === 1 ? '' : 's'}: ${revoked.join(', ')}` : ''}`);
      }),
    );
  return cmd;
}

function usersTable(users: UserView[]): string {
  return table(
    ['ID', 'NAME', 'EMAIL', 'TEAM'],
    users.map((u) => [u.id, u.name, u.email ?? '-', u.team ?? '-']),
  );
}
