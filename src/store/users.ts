import { and, asc, eq, isNull } from 'drizzle-orm';
import { GatewayError } from '../lib/errors.ts';
import type { Store } from './client.ts';
import { ensureTeam, nextKeySeq } from './keys.ts';
import { users, virtualKeys } from './schema.ts';

export type UserRow = typeof users.$inferSelect;

export interface NewUser {
  id: string;
  name?: string;
  email?: string;
  /** Created if new, as `keys create --team` does. */
  team?: string;
}

/** A change to a user: undefined leaves a field alone, null clears it. */
export interface UserPatch {
  name?: string;
  email?: string | null;
  team?: string | null;
}

/** Creates a user; 409 if the id is taken (a key created with `user` makes its user too). */
export async function createUser(store: Store, u: NewUser, now = Date.now()): Promise<UserRow> {
  if (u.team) await ensureTeam(store, u.team, now);
  const row: UserRow = { id: u.id, name: u.name ?? u.id, email: u.email ?? null, teamId: u.team ?? null, createdAt: now };
  const inserted = await store.db.insert(users).values(row).onConflictDoNothing().returning({ id: users.id });
  if (!inserted.length) throw new GatewayError('invalid_request', `User '${u.id}' already exists; update it instead.`, { status: 409, param: 'id', code: 'user_exists' });
  return row;
}

export async function listUsers(store: Store, opts: { team?: string } = {}): Promise<UserRow[]> {
  return store.db.select().from(users).where(opts.team ? eq(users.teamId, opts.team) : undefined).orderBy(asc(users.id));
}

export async function getUser(store: Store, id: string): Promise<UserRow> {
  const rows = await store.db.select().from(users).where(eq(users.id, id));
  if (!rows.length) throw new GatewayError('not_found', `No user '${id}'.`, { code: 'user_not_found' });
  return rows[0]!;
}

export async function updateUser(store: Store, id: string, p: UserPatch, now = Date.now()): Promise<UserRow> {
  await getUser(store, id);
  const set: Partial<UserRow> = {};
  if (p.name !== undefined) set.name = p.name;
  if (p.email !== undefined) set.email = p.email;
  if (p.team !== undefined) {
    if (p.team) await ensureTeam(store, p.team, now);
    set.teamId = p.team;
  }
  if (Object.keys(set).length) await store.db.update(users).set(set).where(eq(users.id, id));
  return getUser(store, id);
}

/** Deletes a user; refused while live keys belong to it unless `force`, which revokes them. */
export async function deleteUser(store: Store, id: string, opts: { force: boolean; forceHint: string }, now = Date.now()): Promise<{ user: UserRow; revoked: string[] }> {
  const user = await getUser(store, id);
  const live = await store.db.select({ id: virtualKeys.id }).from(virtualKeys).where(and(eq(virtualKeys.userId, id), isNull(virtualKeys.revokedAt)));
  const ids = live.map((k) => k.id);
  if (ids.length && !opts.force) {
    throw new GatewayError('invalid_request', `User '${id}' still has ${ids.length} live key${ids.length === 1 ? '' : 's'} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}); revoke them first, or delete with ${opts.forceHint} to revoke them too.`, { status: 409, code: 'user_has_keys' });
  }
  await store.db.batch([
    store.db.update(virtualKeys).set({ revokedAt: now, updatedAt: now, changeSeq: nextKeySeq() }).where(and(eq(virtualKeys.userId, id), isNull(virtualKeys.revokedAt))),
    store.db.update(virtualKeys).set({ userId: null, changeSeq: nextKeySeq() }).where(eq(virtualKeys.userId, id)),
    store.db.delete(users).where(eq(users.id, id)),
  ]);
  return { user, revoked: ids };
}
