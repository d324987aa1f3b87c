import { Hono } from 'hono';
import { createUser, deleteUser, getUser, listUsers, updateUser } from '../../../store/users.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { readAdminBody, readQuery, storeOf } from './input.ts';
import { createUserBody, deleteQuery, listUsersQuery, updateUserBody } from './schemas.ts';
import { userView } from './views.ts';
import { auditAdmin } from './audit-trail.ts';
import { auditEntry } from './audit-entries.ts';

/** `/admin/users`: create, list, show, update, delete (refused while live keys belong to the user, unless `?force=true`). */
export function adminUsersRoute(deps: AppDeps) {
  return new Hono<Env>()
    .post('/admin/users', async (c) => {
      const row = await createUser(storeOf(deps), await readAdminBody(c, createUserBody));
      deps.logger.info('admin: user created', { request_id: c.get('requestId'), user: row.id });
      await auditAdmin(deps, c, auditEntry.userCreate(row.id));
      return c.json(userView(row), 201);
    })
    .get('/admin/users', async (c) => {
      const q = readQuery(c, listUsersQuery);
      return c.json({ object: 'list', data: (await listUsers(storeOf(deps), q)).map(userView) });
    })
    .get('/admin/users/:id', async (c) => c.json(userView(await getUser(storeOf(deps), c.req.param('id')))))
    .patch('/admin/users/:id', async (c) => {
      const patch = await readAdminBody(c, updateUserBody);
      const row = await updateUser(storeOf(deps), c.req.param('id'), patch);
      deps.logger.info('admin: user updated', { request_id: c.get('requestId'), user: row.id, fields: Object.keys(patch) });
      await auditAdmin(deps, c, auditEntry.userUpdate(row.id, patch));
      return c.json(userView(row));
    })
    .delete('/admin/users/:id', async (c) => {
      const { force } = readQuery(c, deleteQuery);
      const { user, revoked } = await deleteUser(storeOf(deps), c.req.param('id'), { force, forceHint: '?force=true' });
      deps.logger.info('admin: user deleted', { request_id: c.get('requestId'), user: user.id, revoked_keys: revoked });
      await auditAdmin(deps, c, auditEntry.userDelete(user.id, revoked));
      return c.json({ ...userView(user), deleted: true, revoked_keys: revoked });
    });
}
