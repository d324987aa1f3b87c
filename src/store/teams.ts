import { and, asc, eq, isNull } from 'drizzle-orm';
import { GatewayError } from '../lib/errors.ts';
import type { Store } from './client.ts';
import { nextKeySeq, type Period } from './keys.ts';
import { teams, users, virtualKeys } from './schema.ts';

export type TeamRow = typeof teams.$inferSelect;

export interface TeamLimits {
  budget?: { micros: number; period: Period } | null;
  /** Alert thresholds in percent of the budget; null = the config's. */
  budget_alerts?: number[] | null;
  rpm?: number | null;
  tpm?: number | null;
  models?: string[] | null;
}

export interface NewTeam extends TeamLimits {
  id: string;
  name?: string;
  metadata?: Record<string, unknown>;
}

/** A change to a team: undefined leaves a field alone, null clears it. */
export interface TeamPatch extends TeamLimits {
  name?: string;
  metadata?: Record<string, unknown> | null;
}

/** Creates a team; 409 if the id is taken (creating a key for a new team makes the team too). */
export async function createTeam(store: Store, t: NewTeam, now = Date.now()): Promise<TeamRow> {
  const row: TeamRow = {
    id: t.id,
    name: t.name ?? t.id,
    budgetMicros: t.budget?.micros ?? null,
    budgetPeriod: t.budget?.period ?? null,
    budgetAlerts: t.budget_alerts ?? null,
    rpm: t.rpm ?? null,
    tpm: t.tpm ?? null,
    allowedModels: t.models ?? null,
    metadata: t.metadata ?? null,
    createdAt: now,
  };
  const inserted = await store.db.insert(teams).values(row).onConflictDoNothing().returning({ id: teams.id });
  if (!inserted.length) throw new GatewayError('invalid_request', `Team '${t.id}' already exists; update it instead.`, { status: 409, param: 'id', code: 'team_exists' });
  return row;
}

export async function listTeams(store: Store): Promise<TeamRow[]> {
  return store.db.select().from(teams).orderBy(asc(teams.id));
}

export async function getTeam(store: Store, id: string): Promise<TeamRow> {
  const rows = await store.db.select().from(teams).where(eq(teams.id, id));
  if (!rows.length) throw new GatewayError('not_found', `No team '${id}'.`, { code: 'team_not_found' });
  return rows[0]!;
}

export async function updateTeam(store: Store, id: string, p: TeamPatch): Promise<TeamRow> {
  await getTeam(store, id);
  const set: Partial<TeamRow> = {};
  if (p.name !== undefined) set.name = p.name;
  if (p.budget !== undefined) {
    set.budgetMicros = p.budget?.micros ?? null;
    set.budgetPeriod = p.budget?.period ?? null;
  }
  if (p.budget_alerts !== undefined) set.budgetAlerts = p.budget_alerts;
  if (p.rpm !== undefined) set.rpm = p.rpm;
  if (p.tpm !== undefined) set.tpm = p.tpm;
  if (p.models !== undefined) set.allowedModels = p.models;
  if (p.metadata !== undefined) set.metadata = p.metadata;
  if (Object.keys(set).length) await store.db.update(teams).set(set).where(eq(teams.id, id));
  return getTeam(store, id);
}

/**
 * Records `userId` as the owner of a key, creating the user row if needed. (createKey and
 * rotateKey do not carry users yet.) Bumps the change number so key caches pick the change up.
 */
export async function setKeyUser(store: Store, keyId: string, userId: string, teamId: string | null, now = Date.now()): Promise<void> {
  await store.db.insert(users).values({ id: userId, name: userId, teamId, createdAt: now }).onConflictDoNothing();
  await store.db.update(virtualKeys).set({ userId, updatedAt: now, changeSeq: nextKeySeq() }).where(eq(virtualKeys.id, keyId));
}

/**
 * Deletes a team. Its live keys would lose their team budget and limits, so they are refused
 * (`team_has_keys`) unless `force`, which revokes them. Revoked keys and users are detached.
 */
export async function deleteTeam(store: Store, id: string, opts: { force: boolean; forceHint: string }, now = Date.now()): Promise<{ team: TeamRow; revoked: string[] }> {
  const team = await getTeam(store, id);
  const live = await store.db.select({ id: virtualKeys.id }).from(virtualKeys).where(and(eq(virtualKeys.teamId, id), isNull(virtualKeys.revokedAt)));
  const ids = live.map((k) => k.id);
  if (ids.length && !opts.force) {
    const list = ids.slice(0, 3).join(', ') + (ids.length > 3 ? ', …' : '');
    throw new GatewayError('invalid_request', `Team '${id}' still has ${ids.length} live key${ids.length === 1 ? '' : 's'} (${list}); revoke them first, or delete with ${opts.forceHint} to revoke them too.`, { status: 409, code: 'team_has_keys' });
  }
  await store.db.batch([
    store.db.update(virtualKeys).set({ revokedAt: now, updatedAt: now, changeSeq: nextKeySeq() }).where(and(eq(virtualKeys.teamId, id), isNull(virtualKeys.revokedAt))),
    store.db.update(virtualKeys).set({ teamId: null, changeSeq: nextKeySeq() }).where(eq(virtualKeys.teamId, id)),
    store.db.update(users).set({ teamId: null }).where(eq(users.teamId, id)),
    store.db.delete(teams).where(eq(teams.id, id)),
  ]);
  return { team, revoked: ids };
}
