import { GatewayError } from '../../../lib/errors.ts';
import { sha256Hex } from '../../../lib/hash.ts';
import type { Store } from '../../../store/client.ts';
import type { ClientKeyConfig } from '../../../config/schema.ts';
import { createKey, findKeyByHash, getKey, keysNamed, revokeKey, rotateKey, updateKey, type KeyRow } from '../../../store/keys.ts';
import { usageReport, type UsageReport } from '../../../store/usage-report.ts';
import type { CreateKeyInput, UpdateKeyInput, UsageQueryInput } from './schemas.ts';

/*
 * Key operations shared by the admin API and the CLI, so both behave the same. Plaintext keys
 * leave these functions only as the `key` of a create or rotate result.
 */

/** Creates a key from validated input; the plaintext is returned here and nowhere else. */
export async function issueKey(store: Store, input: CreateKeyInput, now = Date.now()): Promise<{ key: string; row: KeyRow }> {
  const { expires, ...rest } = input;
  // Names are how people (and `keys show ci`) refer to keys; two live keys with one name would be ambiguous.
  const taken = (await keysNamed(store, input.name)).find((k) => k.revokedAt == null && (k.expiresAt == null || k.expiresAt > now));
  if (taken) {
    throw new GatewayError('invalid_request', `A key named '${input.name}' already exists (${taken.id}, ${taken.prefix}); choose another name, or rotate or revoke that key.`, { status: 409, param: 'name', code: 'key_exists' });
  }
  return createKey(store, { ...rest, expiresAt: expires }, now);
}

/**
 * A key by id (`key_…`), listing prefix (`tg-AbCd123`) or name. A whole key is accepted too (to
 * revoke a leaked one) and matched by its hash; it is never echoed back in an error. A name
 * means its current key: not revoked, not replaced by a rotation.
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
    if (!(e instanceof GatewayError && e.kind === 'not_found')) throw e;
    const named = ref.startsWith('key_') ? [] : await keysNamed(store, ref);
    const current = named.filter((k) => k.revokedAt == null && !k.rotatedTo);
    if (current.length > 1) throw new GatewayError('invalid_request', `'${ref}' names ${current.length} keys (${current.map((k) => k.id).join(', ')}); use the key id.`, { code: 'key_ambiguous' });
    const row = current[0] ?? named[0];
    if (!row) throw new GatewayError('not_found', e.message, { code: 'key_not_found' });
    return row;
  }
}

/** Changes a key's budget, models, limits or expiry; a revoked key stays as it is. */
export async function changeKey(store: Store, ref: string, patch: UpdateKeyInput, now = Date.now()): Promise<KeyRow> {
  const row = await findKey(store, ref);
  if (row.revokedAt != null) throw new GatewayError('invalid_request', `Key ${row.id} is revoked; create a new key instead.`, { code: 'key_revoked' });
  const { expires, ...rest } = patch;
  return updateKey(store, row.id, { ...rest, expiresAt: expires }, now);
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

/**
 * The usage report for validated `usageQuery` input; `key` may be an id, prefix, name or whole
 * key, or the name of a key in the config file's `keys:` list.
 */
export async function usageFor(store: Store, q: UsageQueryInput, configKeys: readonly ClientKeyConfig[] = []): Promise<UsageReport> {
  const keyHash = q.key ? await keyHashFor(store, q.key, configKeys) : undefined;
  return usageReport(store, { by: q.by, since: q.since, until: q.until, team: q.team, keyHash });
}

async function keyHashFor(store: Store, ref: string, configKeys: readonly ClientKeyConfig[]): Promise<string> {
  try {
    return (await findKey(store, ref)).hash;
  } catch (e) {
    const fromConfig = configKeys.find((k) => k.name === ref);
    if (!(e instanceof GatewayError && e.kind === 'not_found') || !fromConfig) throw e;
    return fromConfig.hash.replace(/^sha256:/, '');
  }
}
