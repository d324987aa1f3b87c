import { Hono } from 'hono';
import { createTeam, deleteTeam, getTeam, listTeams, updateTeam } from '../../../store/teams.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { readAdminBody, readQuery, storeOf } from './input.ts';
import { createTeamBody, deleteQuery, updateTeamBody } from './schemas.ts';
import { teamView } from './views.ts';
import { auditAdmin } from './audit-trail.ts';
import { auditEntry } from './audit-entries.ts';

/** `/admin/teams`: create, list, show, delete, and change budget, limits and allowed models. */
export function adminTeamsRoute(deps: AppDeps) {
  return new Hono<Env>()
    .post('/admin/teams', async (c) => {
      const row = await createTeam(storeOf(deps), await readAdminBody(c, createTeamBody));
      deps.logger.info('admin: team created', { request_id: c.get('requestId'), team: row.id });
      await auditAdmin(deps, c, auditEntry.teamCreate(row.id));
      return c.json(teamView(row), 201);
    })
    .get('/admin/teams', async (c) => c.json({ object: 'list', data: (await listTeams(storeOf(deps))).map(teamView) }))
    .get('/admin/teams/:id', async (c) => c.json(teamView(await getTeam(storeOf(deps), c.req.param('id')))))
    .patch('/admin/teams/:id', async (c) => {
      const patch = await readAdminBody(c, updateTeamBody);
      const row = await updateTeam(storeOf(deps), c.req.param('id'), patch);
      deps.logger.info('admin: team updated', { request_id: c.get('requestId'), team: row.id, fields: Object.keys(patch) });
      await auditAdmin(deps, c, auditEntry.teamUpdate(row.id, patch));
      return c.json(teamView(row));
    })
    .delete('/admin/teams/:id', async (c) => {
      const { force } = readQuery(c, deleteQuery);
      const { team, revoked } = await deleteTeam(storeOf(deps), c.req.param('id'), { force, forceHint: '?force=true' });
      deps.logger.info('admin: team deleted', { request_id: c.get('requestId'), team: team.id, revoked_keys: revoked });
      await auditAdmin(deps, c, auditEntry.teamDelete(team.id, revoked));
      return c.json({ ...teamView(team), deleted: true, revoked_keys: revoked });
    });
}
