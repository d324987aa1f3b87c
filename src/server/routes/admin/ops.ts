import { GatewayError } from '../../../lib/errors.ts';
import { sha256Hex } from '../../../lib/hash.ts';
import type { Store } from '../../../store/client.ts';
import { createKey, findKeyByHash, getKey, revokeKey, rotateKey, type KeyRow } from '../../../store/keys.ts';
import { usageReport, type UsageReport } from '../../../store/usage-report.ts';
import type { CreateKeyInput, UsageQueryInput } from './schemas.ts';

/*
 * Key operations shared by the admin API and the CLI, so both behave the same. Plaintext keys
 * leave these functions only as the `key` of a create or rotate result.
 */

/** Creates a key from validated input; the plaintext is returned here and nowhere else. */
export async function issueKey(store: Store, input: CreateKeyInput, now = Date.now()): Promise<{ key: string; row: KeyRow }> {
  const { expires, ...rest } = input;
  return createKey(store, { ...rest, expiresAt: expires }, now);
}

/**
 * A key by id (`key_…`) or listing prefix (`tg-AbCd123`). A whole key is accepted too (to revoke
 * a leaked one) and matched by its hash; it is never echoed back in an error.
 */
export async function findKey(store: Store, ref: string): Promise<KeyRow> {
  if (ref.startsWith('tg-') && ref.length > 10) {
    const row = await findKeyByHash(store, sha256Hex(ref));
    if (!row) throw new GatewayError('not_found', 'No key matches the key given.', { code: 'key_not_found' });
    return row;
  }
  try {
    return await getKey(store, ref);
  } catch (e) {
    if (e instanceof GatewayError && e.kind === 'not_found') throw new GatewayError('not_found', e.message, { code: 'key_not_found' });
    throw e;
  }
}

/** Revokes a key; revoking a revoked key changes nothing. */
export async function revoke(store: Store, ref: string, now = Date.now()): Promise<KeyRow> {
  const row = await findKey(store, ref);
  return row.revokedAt != null ? row : revokeKey(store, row.id, now);
}

/** Issues a replacement key; the old one keeps working for `graceMs`. */
export async function rotate(store: Store, ref: string, graceMs: number, now = Date.now()): Promise<{ key: string; row: KeyRow; old: KeyRow }> {
  const row = await findKey(store, ref);
  if (row.revokedAt == null && row.expiresAt != null && row.expiresAt <= now) {
    throw new GatewayError('invalid_request', `Key ${row.id} has expired; create a new key instead.`, { code: 'key_expired' });
  }
  return rotateKey(store, row.id, graceMs, now);
}

/** The usage report for validated `usageQuery` input; `key` may be an id, prefix or whole key. */
export async function usageFor(store: Store, q: UsageQueryInput): Promise<UsageReport> {
  const keyHash = q.key ? (await findKey(store, q.key)).hash : undefined;
  return usageReport(store, { by: q.by, since: q.since, until: q.until, team: q.team, keyHash });
}
