/**
 * The semantic cache's vectors in libSQL: one table per embedding dimension
 * (`cache_semantic_vectors_<dims>`, an `F32_BLOB(<dims>)` column under a cosine
 * `libsql_vector_idx`), created at startup for the configured dimension because a vector
 * column's dimension is part of its type (migration 0012 only records which spaces exist).
 *
 * A row points at an exact cache entry; a lookup finds the most similar row of the same bucket
 * (scope, context fingerprint, embedding model) that has not expired. `vector_top_k` ranks the
 * whole table, so filtering its answer by bucket can miss when another tenant's vectors crowd
 * the top k (measured: semantic-store.test.ts). Hence:
 * - every stored vector carries its bucket's tag (semantic-partition.ts), so the index itself
 *   keeps buckets apart and another tenant's rows rank far below any candidate for a hit;
 * - a bucket of at most `exactScanMax` rows (about 310 at 256 dimensions) is scanned exactly
 *   (its b-tree index, no ANN);
 * - a larger one asks `vector_top_k` for k rows, and when none is ours it asks again with 4k,
 *   until the farthest of the k is below the threshold (nothing further can reach it) or k
 *   reaches `maxK` (then a miss: the safe answer);
 * - when not one row of the bucket was among those found (the search never reached it: libSQL's
 *   graph loses paths as rows are deleted), a bucket of up to `fallbackScanMax` rows is scanned.
 * The bucket, the expiry and the threshold are always checked exactly on the rows found.
 * The index keeps 20 neighbours a node, compressed to 8 bits, and searches 100 candidates (32 on
 * insert). Measured on 10,000 random rows of 320 dimensions: an insert 3.4 ms, a top-64 query
 * 1.5 ms, 99 of 100 near duplicates found; 48 search candidates found 96 (and 92 of 200 at
 * 100,000 rows), libSQL's defaults (insert 70) took 6.2 ms an insert and 3.5 ms a query for 99.
 * The coarser graph only ranks; the similarity comes from the full vectors.
 */
import type { Client, InStatement } from '@libsql/client';
import { embeddingSimilarity, partitioned, storedSimilarity, TAG_DIMS } from './semantic-partition.ts';

export interface VectorRow {
  scope: string;
  context: string;
  /** The embedding model that made the vector: vectors of two models never compare. */
  embedder: string;
  entryKey: string;
  vector: Float32Array;
  /** Epoch ms. */
  expiresAt: number;
}

export interface VectorQuery {
  scope: string;
  context: string;
  embedder: string;
  vector: Float32Array;
  threshold: number;
}

export interface VectorHit {
  entryKey: string;
  similarity: number;
}

export interface SemanticStoreOptions {
  dims: number;
  /** The table's bound; the oldest rows go first once it is passed (checked every `maxEntries / 20` adds). */
  maxEntries: number;
  /** Wall-clock epoch ms (expiry). */
  now: () => number;
  /** Buckets up to this size are scanned exactly (default: about 100,000 floats' worth of rows). */
  exactScanMax?: number;
  /** The first and the largest k asked of vector_top_k. */
  firstK?: number;
  maxK?: number;
  /** A bucket the graph search did not reach at all is scanned exactly up to this size (default 16 x exactScanMax). */
  fallbackScanMax?: number;
}

export interface SemanticStore {
  readonly dims: number;
  readonly table: string;
  add(row: VectorRow): Promise<void>;
  /** Adds rows in one transaction. */
  addMany(rows: VectorRow[]): Promise<void>;
  nearest(q: VectorQuery): Promise<VectorHit | undefined>;
  remove(entryKeys: string[]): Promise<void>;
  /** Deletes expired rows and the oldest beyond the bound; returns how many went. */
  sweep(): Promise<number>;
  count(): Promise<number>;
  /** Deletes every row of a scope (all when absent); returns how many went. */
  purge(scope?: string): Promise<number>;
}

/** The most dimensions a vector space may have (libSQL's own limit is 65536). */
export const MAX_DIMS = 65536;

/** The vector table of a dimension. */
export const vectorTable = (dims: number) => `cache_semantic_vectors_${dims}`;

/**
 * Makes (or finds) the vector table and its indexes for `dims`, and records the space. Fails
 * with the database's own error where libSQL vectors are not available; startup calls it so
 * that failure stops the gateway with its cause rather than turning every lookup into a miss.
 */
export async function ensureSemanticSpace(client: Client, dims: number, now: number): Promise<void> {
  if (!Number.isInteger(dims) || dims < 1 || dims > MAX_DIMS) throw new RangeError(`semantic cache dimensions must be a whole number from 1 to ${MAX_DIMS}, not ${dims}`);
  const t = vectorTable(dims);
  await client.batch(
    [
      `CREATE TABLE IF NOT EXISTS ${t} (id INTEGER PRIMARY KEY, scope TEXT NOT NULL, context TEXT NOT NULL, embedder TEXT NOT NULL, entry_key TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, embedding F32_BLOB(${dims + TAG_DIMS}) NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS ${t}_ann ON ${t} (libsql_vector_idx(embedding, 'metric=cosine', 'compress_neighbors=float8', 'max_neighbors=20', 'search_l=100', 'insert_l=32'))`,
      `CREATE INDEX IF NOT EXISTS ${t}_bucket ON ${t} (scope, context, embedder, expires_at)`,
      `CREATE UNIQUE INDEX IF NOT EXISTS ${t}_entry ON ${t} (entry_key)`,
      `CREATE INDEX IF NOT EXISTS ${t}_expires ON ${t} (expires_at)`,
      { sql: 'INSERT INTO cache_semantic_spaces (dims, created_at) VALUES (?, ?) ON CONFLICT (dims) DO NOTHING', args: [dims, now] },
    ],
    'write',
  );
}

/**
 * Removes the vectors pointing at `entryKeys` from every space ever made (the registry lists
 * them): for a purge run without a running index, such as `tollgate cache purge`.
 */
export async function removeVectorsEverywhere(client: Client, entryKeys: string[]): Promise<void> {
  if (!entryKeys.length) return;
  const spaces = await client.execute('SELECT dims FROM cache_semantic_spaces');
  for (const r of spaces.rows) {
    const dims = Number(r.dims);
    if (!Number.isInteger(dims) || dims < 1 || dims > MAX_DIMS) continue;
    for (let i = 0; i < entryKeys.length; i += 500) {
      const part = entryKeys.slice(i, i + 500);
      await client.execute({ sql: `DELETE FROM ${vectorTable(dims)} WHERE entry_key IN (${part.map(() => '?').join(', ')})`, args: part });
    }
  }
}

/** Makes (or finds) the vector table for `dims` and returns its store. */
export async function openSemanticStore(client: Client, o: SemanticStoreOptions): Promise<SemanticStore> {
  await ensureSemanticSpace(client, o.dims, o.now());
  return semanticStore(client, o);
}

/** The store over the vector table for `dims`; the table is made on first use when ensureSemanticSpace has not run. */
export function semanticStore(client: Client, o: SemanticStoreOptions): SemanticStore {
  const t = vectorTable(o.dims);
  const ann = `${t}_ann`;
  let ready: Promise<void> | undefined;
  const made = () => (ready ??= ensureSemanticSpace(client, o.dims, o.now()).catch((e: unknown) => {
    ready = undefined;
    throw e;
  }));
  // An exact scan costs about 6 µs a row at 320 floats, a vector_top_k about 1.6 ms (measured on
  // 3,000 rows, loaded machine): scanning wins up to roughly 100,000 floats' worth of rows.
  const exactScanMax = o.exactScanMax ?? Math.max(64, Math.min(4096, Math.round(100_000 / (o.dims + TAG_DIMS))));
  const firstK = o.firstK ?? 64;
  const maxK = o.maxK ?? 4096;
  const fallbackScanMax = o.fallbackScanMax ?? exactScanMax * 16;
  const sweepEvery = Math.max(1, Math.floor(o.maxEntries / 20));
  let adds = 0;
  const bucket = 'scope = ? AND context = ? AND embedder = ? AND expires_at > ?';
  const bucketArgs = (q: VectorQuery, now: number) => [q.scope, q.context, q.embedder, now];
  const stored = (r: Omit<VectorQuery, 'threshold'>) => {
    checkDims(r.vector, o.dims);
    return blob(partitioned(r.vector, JSON.stringify([r.scope, r.context, r.embedder])));
  };

  const store: SemanticStore = {
    dims: o.dims,
    table: t,
    add: (row) => store.addMany([row]),
    async addMany(rows) {
      await made();
      const at = o.now();
      const statements = rows.map((row) => ({
        sql: `INSERT INTO ${t} (scope, context, embedder, entry_key, created_at, expires_at, embedding) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entry_key) DO UPDATE SET scope = excluded.scope, context = excluded.context, embedder = excluded.embedder, created_at = excluded.created_at, expires_at = excluded.expires_at, embedding = excluded.embedding`,
        args: [row.scope, row.context, row.embedder, row.entryKey, at, row.expiresAt, stored(row)],
      }));
      if (statements.length) await client.batch(statements, 'write');
      adds += rows.length;
      if (adds >= sweepEvery) {
        adds = 0;
        await store.sweep();
      }
    },
    async nearest(q) {
      await made();
      const v = stored(q);
      const now = o.now();
      /** The bucket's live rows, counted up to `max + 1`. */
      const bucketSize = async (max: number) => Number((await client.execute({ sql: `SELECT count(*) AS n FROM (SELECT 1 FROM ${t} WHERE ${bucket} LIMIT ?)`, args: [...bucketArgs(q, now), max + 1] })).rows[0]!.n);
      const n = await bucketSize(exactScanMax);
      if (n === 0) return undefined;
      const scan = async () => {
        const r = await client.execute({ sql: `SELECT entry_key, 1 - vector_distance_cos(embedding, ?) AS sim FROM ${t} WHERE ${bucket} ORDER BY sim DESC LIMIT 1`, args: [v, ...bucketArgs(q, now)] });
        return hitOf(r.rows[0], q.threshold);
      };
      if (n <= exactScanMax) return scan();
      let reached = false;
      for (let k = firstK; ; k = Math.min(k * 4, maxK)) {
        const r = await client.execute({
          sql: `WITH near AS MATERIALIZED (SELECT v.entry_key, (v.scope = ? AND v.context = ? AND v.embedder = ? AND v.expires_at > ?) AS mine, 1 - vector_distance_cos(v.embedding, ?) AS sim FROM vector_top_k('${ann}', ?, ?) AS top JOIN ${t} AS v ON v.id = top.id)
                SELECT s.n, s.farthest, s.ours, b.entry_key, b.sim FROM (SELECT count(*) AS n, min(sim) AS farthest, sum(mine) AS ours FROM near) AS s LEFT JOIN (SELECT entry_key, sim FROM near WHERE mine ORDER BY sim DESC LIMIT 1) AS b`,
          args: [...bucketArgs(q, now), v, v, k],
        });
        const row = r.rows[0]!;
        const hit = row.entry_key == null ? undefined : hitOf(row, q.threshold);
        if (hit) return hit;
        reached ||= Number(row.ours ?? 0) > 0;
        const farthest = row.farthest == null ? -1 : Number(row.farthest);
        // The farthest below the threshold: no row further away can reach it. (Fewer than k rows
        // does not mean the table was seen whole: the graph search stops short of rows it cannot reach.)
        if (farthest < storedSimilarity(q.threshold) || k >= maxK) break;
      }
      // Not one row of the bucket among those found: the graph search never reached it (libSQL's
      // index loses paths as rows are deleted, and a cache deletes all the time). A bucket of
      // moderate size is then scanned after all; a larger one is a miss.
      if (!reached && (await bucketSize(fallbackScanMax)) <= fallbackScanMax) return scan();
      return undefined;
    },
    async remove(entryKeys) {
      await made();
      for (let i = 0; i < entryKeys.length; i += 500) {
        const part = entryKeys.slice(i, i + 500);
        await client.execute({ sql: `DELETE FROM ${t} WHERE entry_key IN (${part.map(() => '?').join(', ')})`, args: part });
      }
    },
    async sweep() {
      await made();
      const expired = await client.execute({ sql: `DELETE FROM ${t} WHERE expires_at <= ?`, args: [o.now()] });
      const over = (await store.count()) - o.maxEntries;
      if (over <= 0) return expired.rowsAffected;
      const evicted = await client.execute({ sql: `DELETE FROM ${t} WHERE id IN (SELECT id FROM ${t} ORDER BY id LIMIT ?)`, args: [over] });
      return expired.rowsAffected + evicted.rowsAffected;
    },
    async count() {
      await made();
      return Number((await client.execute(`SELECT count(*) AS n FROM ${t}`)).rows[0]!.n);
    },
    async purge(scope) {
      await made();
      // Never a bare DELETE: SQLite's truncate shortcut skips the vector index, whose stale rows then
      // refuse the next insert of a reused id ("failed to insert shadow row").
      const stmt: InStatement = scope === undefined ? `DELETE FROM ${t} WHERE id IS NOT NULL` : { sql: `DELETE FROM ${t} WHERE scope = ?`, args: [scope] };
      return (await client.execute(stmt)).rowsAffected;
    },
  };
  return store;
}

function hitOf(row: Record<string, unknown> | undefined, threshold: number): VectorHit | undefined {
  if (!row || row.entry_key == null) return undefined;
  const similarity = embeddingSimilarity(Number(row.sim));
  return similarity >= threshold ? { entryKey: String(row.entry_key), similarity } : undefined;
}

function checkDims(v: Float32Array, dims: number): void {
  if (v.length !== dims) throw new RangeError(`an embedding of ${v.length} dimensions cannot go in the ${dims}-dimension semantic cache`);
}

/** The vector as libSQL's F32_BLOB bytes (little-endian float32). */
const blob = (v: Float32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
