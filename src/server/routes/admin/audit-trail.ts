import type { Context } from 'hono';
import { sha256Hex } from '../../../lib/hash.ts';
import { recordAudit, type AuditEntry } from '../../../store/audit.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { storeOf } from './input.ts';

/** Who made an admin request: the master key by the first 12 hex digits of its sha-256 (never the key). */
export function adminActor(c: Context<Env>): string {
  const header = c.req.header('authorization') ?? '';
  const given = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
  return `master:${sha256Hex(given).slice(0, 12)}`;
}

/**
 * Records an admin API action in the audit log, with who and from where. The change is already
 * made: a failed write is logged as an error (the action stands), not turned into a failure.
 */
export async function auditAdmin(deps: AppDeps, c: Context<Env>, e: Pick<AuditEntry, 'action' | 'target' | 'detail'>): Promise<void> {
  const entry: AuditEntry = { ...e, actor: adminActor(c), source: deps.clientIp?.(c.req.raw) ?? 'unknown' };
  try {
    await recordAudit(storeOf(deps), entry, deps.clock?.wall() ?? Date.now());
  } catch (err) {
    deps.logger.error('audit log write failed; the action was made', { request_id: c.get('requestId'), action: e.action, target: e.target, error: String(err) });
  }
}
