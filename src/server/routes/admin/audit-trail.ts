import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { sha256Hex } from '../../../lib/hash.ts';
import { recordAudit, type AuditEntry } from '../../../store/audit.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { storeOf } from './input.ts';
import { UI_SESSION_COOKIE } from '../../ui-sessions.ts';

/** The dashboard's actor name: the master key its session was opened with, by 12 hex digits of its sha-256. */
export const dashboardActor = (masterKey: string) => `dashboard:${sha256Hex(masterKey).slice(0, 12)}`;

/**
 * Who made an admin request: the master key by the first 12 hex digits of its sha-256 (never the
 * key); `dashboard:…` for a dashboard session (admin auth has checked it before any route runs).
 */
export function adminActor(c: Context<Env>): string {
  const header = c.req.header('authorization') ?? '';
  const given = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
  if (!given && getCookie(c, UI_SESSION_COOKIE)) return dashboardActor(process.env.TOLLGATE_MASTER_KEY ?? '');
  return `master:${sha256Hex(given).slice(0, 12)}`;
}

/**
 * Records an admin API action in the audit log, with who and from where. The change is already
 * made: a failed write is logged as an error (the action stands), not turned into a failure.
 */
export async function auditAdmin(deps: AppDeps, c: Context<Env>, e: Pick<AuditEntry, 'action' | 'target' | 'detail'>, actor = adminActor(c)): Promise<void> {
  const entry: AuditEntry = { ...e, actor, source: deps.clientIp?.(c.req.raw) ?? 'unknown' };
  try {
    await recordAudit(storeOf(deps), entry, deps.clock?.wall() ?? Date.now());
  } catch (err) {
    deps.logger.error('audit log write failed; the action was made', { request_id: c.get('requestId'), action: e.action, target: e.target, error: String(err) });
  }
}
