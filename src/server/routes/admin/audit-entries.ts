import type { AuditEntry } from '../../../store/audit.ts';
import type { KeyRow } from '../../../store/keys.ts';

type Entry = Pick<AuditEntry, 'action' | 'target' | 'detail'>;

/**
 * What the audit log says about each management action, for the admin API and the CLI alike.
 * Keys appear by id and display prefix only; changes by the names of the fields changed.
 */
export const auditEntry = {
  keyCreate: (k: KeyRow): Entry => ({ action: 'key.create', target: k.id, detail: { prefix: k.prefix, name: k.name, team: k.teamId } }),
  keyUpdate: (k: KeyRow, patch: object): Entry => ({ action: 'key.update', target: k.id, detail: { prefix: k.prefix, fields: Object.keys(patch) } }),
  keyRevoke: (k: KeyRow): Entry => ({ action: 'key.revoke', target: k.id, detail: { prefix: k.prefix, name: k.name } }),
  keyRotate: (old: KeyRow, k: KeyRow, graceMs: number): Entry => ({ action: 'key.rotate', target: old.id, detail: { previous_prefix: old.prefix, new_key_id: k.id, prefix: k.prefix, grace_ms: graceMs } }),
  teamCreate: (id: string): Entry => ({ action: 'team.create', target: id }),
  teamUpdate: (id: string, patch: object): Entry => ({ action: 'team.update', target: id, detail: { fields: Object.keys(patch) } }),
  teamDelete: (id: string, revoked: string[]): Entry => ({ action: 'team.delete', target: id, detail: { revoked_keys: revoked } }),
  userCreate: (id: string): Entry => ({ action: 'user.create', target: id }),
  userUpdate: (id: string, patch: object): Entry => ({ action: 'user.update', target: id, detail: { fields: Object.keys(patch) } }),
  userDelete: (id: string, revoked: string[]): Entry => ({ action: 'user.delete', target: id, detail: { revoked_keys: revoked } }),
  cachePurge: (filter: { team?: string; model?: string }, removed: number): Entry => ({ action: 'cache.purge', target: filter.team ?? filter.model ?? '*', detail: { ...filter, removed } }),
};
