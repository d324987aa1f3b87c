import { and, eq, isNotNull, lte } from 'drizzle-orm';
import type { InValue } from '@libsql/client';
import type { Store } from './client.ts';
import { storedResponses } from './schema.ts';

/** Who may see a stored response: the key that created it, in the team it was in. */
export interface ResponseOwner {
  key: string;
  team: string;
}

/** One turn to store: its own input items and response, already serialised (their bytes are the row's size). */
export interface ResponseRow {
  id: string;
  owner: ResponseOwner;
  createdAt: number;
  expiresAt: number | null;
  previousId: string | null;
  depth: number;
  bytes: number;
  chainBytes: number;
  inputItemsJson: string;
  responseJson: string;
}

/** What a conversation's newest turn says about the whole chain, read before the chain is. */
export interface ChainHead {
  depth: number;
  chainBytes: number;
}

/** One turn of a conversation as read back: a 0005 row has its whole context instead of its own input. */
export interface ChainTurn {
  id: string;
  previousId: string | null;
  /** The turn's own input items, or, for a row written by migration 0005, everything before its output. */
  input: unknown[];
  legacy: boolean;
  output: unknown[];
}

/** Per-owner caps: past either, the oldest rows of that key (or team) are removed first, down to 90 % of it. */
export interface ResponseCaps {
  rowsPerKey: number;
  bytesPerKey: number;
  rowsPerTeam: number;
  bytesPerTeam: number;
}

const live = (now: number) => `(expires_at IS NULL OR expires_at > ${Math.floor(now)})`;
const scoped = (id: string, owner: ResponseOwner) => and(eq(storedResponses.id, id), eq(storedResponses.ownerKey, owner.key), eq(storedResponses.team, owner.team));
const parsed = (v: unknown): unknown[] => {
  if (typeof v !== 'string') return [];
  const j: unknown = JSON.parse(v);
  return Array.isArray(j) ? j : [];
};

/**
 * Stores one turn, then holds the owner's key and team to their caps (the new row counts): a
 * count and sum read from a covering index, and only past a cap a delete of the oldest rows down
 * to 90 % of it, so an owner at its cap pays for the delete once per tenth of the cap, not on
 * every save.
 */
export async function saveResponse(store: Store, row: ResponseRow, caps: ResponseCaps): Promise<void> {
  const { owner } = row;
  await store.client.execute({
    sql: `INSERT INTO responses (id, owner_key, team, created_at, expires_at, previous_id, depth, bytes, chain_bytes, input_items, context, response)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (id) DO NOTHING`,
    args: [row.id, owner.key, owner.team, row.createdAt, row.expiresAt, row.previousId, row.depth, row.bytes, row.chainBytes, row.inputItemsJson, row.responseJson],
  });
  await holdToCap(store, 'owner_key = ? AND team = ?', [owner.key, owner.team], caps.rowsPerKey, caps.bytesPerKey);
  if (owner.team) await holdToCap(store, 'team = ?', [owner.team], caps.rowsPerTeam, caps.bytesPerTeam);
}

/** What a cap is brought down to once passed: a tenth below it (at least one row or byte). */
const belowCap = (cap: number) => cap - Math.max(1, Math.floor(cap / 10));

async function holdToCap(store: Store, where: string, args: InValue[], rows: number, bytes: number): Promise<void> {
  const r = await store.client.execute({ sql: `SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM responses WHERE ${where}`, args });
  const n = Number(r.rows[0]?.n ?? 0);
  const b = Number(r.rows[0]?.b ?? 0);
  if (n <= rows && b <= bytes) return;
  // The newest rows are kept while they fit under both targets; the rest, oldest first, go.
  await store.client.execute({
    sql: `DELETE FROM responses WHERE id IN (
            SELECT id FROM (
              SELECT id, SUM(bytes) OVER w AS total, ROW_NUMBER() OVER w AS k FROM responses WHERE ${where}
              WINDOW w AS (ORDER BY created_at DESC, id DESC ROWS UNBOUNDED PRECEDING)
            ) WHERE total > ? OR k > ?)`,
    args: [...args, belowCap(bytes), belowCap(rows)],
  });
}

/** A live conversation keeps its earlier turns as long as its newest: their expiry moves up to it (null: forever). */
export async function extendChain(store: Store, ids: string[], expiresAt: number | null): Promise<void> {
  if (!ids.length) return;
  const marks = ids.map(() => '?').join(',');
  await store.client.execute({
    sql: `UPDATE responses SET expires_at = ${expiresAt === null ? 'NULL' : 'max(expires_at, ?)'} WHERE expires_at IS NOT NULL AND id IN (${marks})`,
    args: expiresAt === null ? ids : [expiresAt, ...ids],
  });
}

/** The chain's size as its newest turn records it; undefined when the owner has no such live response. */
export async function chainHead(store: Store, id: string, owner: ResponseOwner, now: number): Promise<ChainHead | undefined> {
  const r = await store.client.execute({ sql: `SELECT depth, chain_bytes FROM responses WHERE id = ? AND owner_key = ? AND team = ? AND ${live(now)}`, args: [id, owner.key, owner.team] });
  const row = r.rows[0];
  return row ? { depth: Number(row.depth), chainBytes: Number(row.chain_bytes) } : undefined;
}

/**
 * The conversation ending at `id`, oldest turn first, in one recursive query that follows
 * previous_id through the owner's live rows only, stops at a 0005 row (which holds its whole
 * context) and reads at most `maxTurns` rows. Only each turn's input and the response's output
 * are read.
 */
export async function readChain(store: Store, id: string, owner: ResponseOwner, now: number, maxTurns: number): Promise<ChainTurn[]> {
  const r = await store.client.execute({
    sql: `WITH RECURSIVE chain(id, previous_id, input_items, context, output, n) AS (
            SELECT id, previous_id, input_items, context, json_extract(response, '$.output'), 1 FROM responses
              WHERE id = ? AND owner_key = ? AND team = ? AND ${live(now)}
            UNION ALL
            SELECT r.id, r.previous_id, r.input_items, r.context, json_extract(r.response, '$.output'), chain.n + 1
              FROM responses r JOIN chain ON r.id = chain.previous_id
              WHERE chain.context IS NULL AND chain.n < ? AND r.owner_key = ? AND r.team = ? AND ${live(now).replaceAll('expires_at', 'r.expires_at')}
          )
          SELECT id, previous_id, input_items, context, output FROM chain ORDER BY n DESC`,
    args: [id, owner.key, owner.team, maxTurns, owner.key, owner.team],
  });
  return r.rows.map((row) => {
    const legacy = row.context !== null;
    return { id: String(row.id), previousId: row.previous_id === null ? null : String(row.previous_id), legacy, input: parsed(legacy ? row.context : row.input_items), output: parsed(row.output) };
  });
}

/** The owner's stored response object (only that column is read and parsed), unless expired. */
export async function findResponseObject(store: Store, id: string, owner: ResponseOwner, now: number): Promise<Record<string, unknown> | undefined> {
  const r = await store.client.execute({ sql: `SELECT response FROM responses WHERE id = ? AND owner_key = ? AND team = ? AND ${live(now)}`, args: [id, owner.key, owner.team] });
  const v = r.rows[0]?.response;
  return typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : undefined;
}

/** The owner's response's own input items (only that column is read and parsed), unless expired. */
export async function findInputItems(store: Store, id: string, owner: ResponseOwner, now: number): Promise<unknown[] | undefined> {
  const r = await store.client.execute({ sql: `SELECT input_items FROM responses WHERE id = ? AND owner_key = ? AND team = ? AND ${live(now)}`, args: [id, owner.key, owner.team] });
  const row = r.rows[0];
  return row ? parsed(row.input_items) : undefined;
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
