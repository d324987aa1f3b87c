import { and, eq, isNotNull, lte } from 'drizzle-orm';
import type { Store } from './client.ts';
import { storedResponses } from './schema.ts';

export type StoredResponse = typeof storedResponses.$inferSelect;

/** Who may see a stored response: the key that created it, in the team it was in. */
export interface ResponseOwner {
  key: string;
  team: string;
}

const scoped = (id: string, owner: ResponseOwner) => and(eq(storedResponses.id, id), eq(storedResponses.ownerKey, owner.key), eq(storedResponses.team, owner.team));

export async function saveResponse(store: Store, row: StoredResponse): Promise<void> {
  await store.db.insert(storedResponses).values(row).onConflictDoNothing();
}

/** The owner's response, unless it has expired; undefined for anyone else's (the caller answers 404). */
export async function findResponse(store: Store, id: string, owner: ResponseOwner, now: number): Promise<StoredResponse | undefined> {
  const [row] = await store.db.select().from(storedResponses).where(scoped(id, owner)).limit(1);
  if (!row || (row.expiresAt !== null && row.expiresAt <= now)) return undefined;
  return row;
}

/** Deletes the owner's response; false when there was none to delete. */
export async function deleteResponse(store: Store, id: string, owner: ResponseOwner): Promise<boolean> {
  const gone = await store.db.delete(storedResponses).where(scoped(id, owner)).returning({ id: storedResponses.id });
  return gone.length > 0;
}

/** Removes every response past its retention; returns how many. */
export async function purgeExpiredResponses(store: Store, now: number): Promise<number> {
  const gone = await store.db.delete(storedResponses).where(and(isNotNull(storedResponses.expiresAt), lte(storedResponses.expiresAt, now))).returning({ id: storedResponses.id });
  return gone.length;
}
