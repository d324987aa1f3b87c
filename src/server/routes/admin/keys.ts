import { Hono } from 'hono';
import { listKeys } from '../../../store/keys.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { readAdminBody, readQuery, storeOf } from './input.ts';
import { changeKey, findKey, issueKey, revoke, rotate } from './ops.ts';
import { createKeyBody, listKeysQuery, rotateKeyBody, updateKeyBody } from './schemas.ts';
import { keyView } from './views.ts';
import { auditAdmin } from './audit-trail.ts';
import { auditEntry } from './audit-entries.ts';

/** `/admin/keys`: create, list, show, update, revoke, rotate. A plaintext key appears only in create and rotate answers. */
export function adminKeysRoute(deps: AppDeps) {
  const now = () => deps.clock?.wall() ?? Date.now();
  // This instance's own change is seen at once; the others see it on their next key-cache poll.
  const changed = (hash: string) => deps.keys?.evict(hash);
  return new Hono<Env>()
    .post('/admin/keys', async (c) => {
      const input = await readAdminBody(c, createKeyBody);
      const { key, row } = await issueKey(storeOf(deps), input);
      deps.logger.info('admin: key created', { request_id: c.get('requestId'), key_id: row.id, prefix: row.prefix, team: row.teamId });
      await auditAdmin(deps, c, auditEntry.keyCreate(row));
      return c.json({ key, record: keyView(row) }, 201);
    })
    .get('/admin/keys', async (c) => {
      const q = readQuery(c, listKeysQuery);
      const rows = await listKeys(storeOf(deps), { team: q.team, includeRevoked: q.include_revoked });
      const now = Date.now();
      return c.json({ object: 'list', data: rows.map((r) => keyView(r, now)) });
    })
    .get('/admin/keys/:id', async (c) => c.json(keyView(await findKey(storeOf(deps), c.req.param('id')))))
    .patch('/admin/keys/:id', async (c) => {
      const patch = await readAdminBody(c, updateKeyBody);
      const row = await changeKey(storeOf(deps), c.req.param('id'), patch, now());
      changed(row.hash);
      deps.logger.info('admin: key updated', { request_id: c.get('requestId'), key_id: row.id, fields: Object.keys(patch) });
      await auditAdmin(deps, c, auditEntry.keyUpdate(row, patch));
      return c.json(keyView(row));
    })
    .post('/admin/keys/:id/revoke', async (c) => {
      const row = await revoke(storeOf(deps), c.req.param('id'), now());
      changed(row.hash);
      deps.logger.info('admin: key revoked', { request_id: c.get('requestId'), key_id: row.id, prefix: row.prefix });
      await auditAdmin(deps, c, auditEntry.keyRevoke(row));
      return c.json(keyView(row));
    })
    .post('/admin/keys/:id/rotate', async (c) => {
      const { grace } = await readAdminBody(c, rotateKeyBody, { optional: true });
      const { key, row, old } = await rotate(storeOf(deps), c.req.param('id'), grace, now());
      changed(old.hash);
      deps.logger.info('admin: key rotated', { request_id: c.get('requestId'), key_id: old.id, new_key_id: row.id, prefix: row.prefix });
      await auditAdmin(deps, c, auditEntry.keyRotate(old, row, grace));
      return c.json({ key, record: keyView(row), previous: keyView(old) }, 201);
    });
}
