import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { GatewayError } from '../lib/errors.ts';
import { sha256Hex } from '../lib/hash.ts';
import type { Store } from './client.ts';
import { teams, users, virtualKeys } from './schema.ts';
import type { BatchItem } from 'drizzle-orm/batch';

export type KeyRow = typeof virtualKeys.$inferSelect;
export type Period = 'day' | 'week' | 'month';

export interface NewKey {
  name: string;
  team?: string;
  user?: string;
  tags?: string[];
  models?: string[];
  budget?: { micros: number; period: Period };
  /** Alert thresholds in percent of the budget; unset = the config's. */
  budget_alerts?: number[];
  rpm?: number;
  tpm?: number;
  expiresAt?: number;
  metadata?: Record<string, unknown>;
}

/**
 * The next key change number, for the same statement that writes the key: one more than the
 * largest in the table. Writes to one database are serialised, so change numbers commit in
 * order, whatever the writers' clocks say; key caches poll by them.
 */
export const nextKeySeq = (): SQL<number> => sql<number>`(SELECT coalesce(max(change_seq), 0) + 1 FROM virtual_keys)`;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A new random key: `tg-` and 40 base62 characters (~238 bits). */
export function generateKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(40));
  let s = 'tg-';
  for (const b of bytes) s += ALPHABET[b % 62];
  return s;
}

/** The key as shown in listings: its first 10 characters. */
export const displayPrefix = (key: string) => key.slice(0, 10);

/**
 * Creates a key and returns its plaintext once; only the hash is stored. The team, the user and
 * the key are written in one transaction: when the call fails, nothing is left behind.
 */
export async function createKey(store: Store, k: NewKey, now = Date.now()): Promise<{ key: string; row: KeyRow }> {
  const key = generateKey();
  const row: KeyRow = {
    id: 'key_' + crypto.randomUUID().replace(/-/g, '').slice(0, 20),
    hash: sha256Hex(key),
    prefix: displayPrefix(key),
    name: k.name,
    teamId: k.team ?? null,
    userId: k.user ?? null,
    tags: k.tags ?? null,
    allowedModels: k.models ?? null,
    budgetMicros: k.budget?.micros ?? null,
    budgetPeriod: k.budget?.period ?? null,
    budgetAlerts: k.budget_alerts ?? null,
    rpm: k.rpm ?? null,
    tpm: k.tpm ?? null,
    expiresAt: k.expiresAt ?? null,
    revokedAt: null,
    rotatedTo: null,
    metadata: k.metadata ?? null,
    createdAt: now,
    updatedAt: now,
    changeSeq: 0,
  };
  const writes: BatchItem<'sqlite'>[] = [];
  if (k.team) writes.push(store.db.insert(teams).values({ id: k.team, name: k.team, createdAt: now }).onConflictDoNothing());
  if (k.user) writes.push(store.db.insert(users).values({ id: k.user, name: k.user, teamId: k.team ?? null, createdAt: now }).onConflictDoNothing());
  const [first, ...rest]: BatchItem<'sqlite'>[] = [...writes, store.db.insert(virtualKeys).values({ ...row, changeSeq: nextKeySeq() })];
  await store.db.batch([first!, ...rest]);
  return { key, row };
}

export async function ensureTeam(store: Store, id: string, now: number): Promise<void> {
  await store.db.insert(teams).values({ id, name: id, createdAt: now }).onConflictDoNothing();
}

export async function listKeys(store: Store, opts: { team?: string; includeRevoked?: boolean } = {}): Promise<KeyRow[]> {
  const conds = [];
  if (opts.team) conds.push(eq(virtualKeys.teamId, opts.team));
  if (!opts.includeRevoked) conds.push(isNull(virtualKeys.revokedAt));
  return store.db.select().from(virtualKeys).where(conds.length ? and(...conds) : undefined).orderBy(desc(virtualKeys.createdAt));
}

export async function getKey(store: Store, idOrPrefix: string): Promise<KeyRow> {
  const rows = await store.db.select().from(virtualKeys).where(idOrPrefix.startsWith('key_') ? eq(virtualKeys.id, idOrPrefix) : eq(virtualKeys.prefix, idOrPrefix));
  if (rows.length !== 1) throw new GatewayError('not_found', rows.length ? `'${idOrPrefix}' matches several keys; use the key id.` : `No key '${idOrPrefix}'.`);
  return rows[0]!;
}

/** Revokes a key now. Every instance sharing the database refuses it within a second. */
export async function revokeKey(store: Store, idOrPrefix: string, now = Date.now()): Promise<KeyRow> {
  const row = await getKey(store, idOrPrefix);
  await store.db.update(virtualKeys).set({ revokedAt: now, updatedAt: now, changeSeq: nextKeySeq() }).where(eq(virtualKeys.id, row.id));
  return { ...row, revokedAt: now, updatedAt: now };
}

/**
 * Replaces a key with a new one carrying the same settings. The old key keeps working for
 * `graceMs` (so deployments can switch), then expires.
 */
export async function rotateKey(store: Store, idOrPrefix: string, graceMs: number, now = Date.now()): Promise<{ key: string; row: KeyRow; old: KeyRow }> {
  const old = await getKey(store, idOrPrefix);
  if (old.revokedAt) throw new GatewayError('invalid_request', `Key '${idOrPrefix}' is revoked and cannot be rotated.`);
  const created = await createKey(
    store,
    {
      name: old.name,
      team: old.teamId ?? undefined,
      user: old.userId ?? undefined,
      tags: old.tags ?? undefined,
      models: old.allowedModels ?? undefined,
      budget: old.budgetMicros != null && old.budgetPeriod ? { micros: old.budgetMicros, period: old.budgetPeriod } : undefined,
      budget_alerts: old.budgetAlerts ?? undefined,
      rpm: old.rpm ?? undefined,
      tpm: old.tpm ?? undefined,
      expiresAt: old.expiresAt ?? undefined,
      metadata: old.metadata ?? undefined,
    },
    now,
  );
  const graceEnd = now + graceMs;
  const expiresAt = old.expiresAt != null ? Math.min(old.expiresAt, graceEnd) : graceEnd;
  await store.db.update(virtualKeys).set({ rotatedTo: created.row.id, expiresAt, updatedAt: now, changeSeq: nextKeySeq() }).where(eq(virtualKeys.id, old.id));
  return { ...created, old: { ...old, rotatedTo: created.row.id, expiresAt } };
}

/** Looks a key up by the hash of what the client sent. */
export async function findKeyByHash(store: Store, hash: string): Promise<KeyRow | undefined> {
  const rows = await store.db.select().from(virtualKeys).where(eq(virtualKeys.hash, hash)).limit(1);
  return rows[0];
}

/** A change to a key's limits: undefined leaves a field alone, null clears it. */
export interface KeyPatch {
  budget?: { micros: number; period: Period } | null;
  budget_alerts?: number[] | null;
  models?: string[] | null;
  rpm?: number | null;
  tpm?: number | null;
  expiresAt?: number | null;
}

/** Changes a key's limits; bumps the change number so every gateway's key cache picks it up. */
export async function updateKey(store: Store, id: string, p: KeyPatch, now = Date.now()): Promise<KeyRow> {
  const set: Partial<Omit<KeyRow, 'changeSeq'>> & { changeSeq?: SQL<number> } = { updatedAt: now, changeSeq: nextKeySeq() };
  if (p.budget !== undefined) {
    set.budgetMicros = p.budget?.micros ?? null;
    set.budgetPeriod = p.budget?.period ?? null;
  }
  if (p.budget_alerts !== undefined) set.budgetAlerts = p.budget_alerts;
  if (p.models !== undefined) set.allowedModels = p.models;
  if (p.rpm !== undefined) set.rpm = p.rpm;
  if (p.tpm !== undefined) set.tpm = p.tpm;
  if (p.expiresAt !== undefined) set.expiresAt = p.expiresAt;
  await store.db.update(virtualKeys).set(set).where(eq(virtualKeys.id, id));
  return getKey(store, id);
}

/** Keys with this name, newest first (a rotation leaves two: the old one points to the new). */
export async function keysNamed(store: Store, name: string): Promise<KeyRow[]> {
  return store.db.select().from(virtualKeys).where(eq(virtualKeys.name, name)).orderBy(desc(virtualKeys.createdAt));
}
