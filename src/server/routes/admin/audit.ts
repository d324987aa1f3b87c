import { Hono } from 'hono';
import { listAudit } from '../../../store/audit.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { readQuery, storeOf } from './input.ts';
import { auditQuery } from './schemas.ts';
import { auditView } from './views.ts';

/** `GET /admin/audit?since=7d&limit=100` — the audit log, oldest first. */
export function adminAuditRoute(deps: AppDeps) {
  return new Hono<Env>().get('/admin/audit', async (c) => c.json({ object: 'list', data: (await listAudit(storeOf(deps), readQuery(c, auditQuery))).map(auditView) }));
}
