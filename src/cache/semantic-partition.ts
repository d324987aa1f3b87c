/**
 * Partitions one vector index by bucket (scope, context, embedding model) through geometry.
 *
 * `vector_top_k` ranks a whole table, and its graph search reaches only part of it (asked for
 * k = 512 of 306 rows it returned about 200): when another tenant holds many vectors nearer to a
 * question than this tenant's, filtering the top k by tenant afterwards finds nothing. So each
 * stored vector is the embedding and a bucket tag side by side, the tag weighing W:
 *   v = [sqrt(1 - W) e / |e|, sqrt(W) t(bucket)],   t = a ±1/sqrt(TAG_DIMS) sign vector from sha-256(bucket)
 * Two rows of one bucket then have cos(v1, v2) = (1 - W) cos(e1, e2) + W, so with W = 0.2 a hit
 * at threshold 0.95 sits at 0.96 or more; a row of another bucket has (1 - W) cos(e1, e2) + W t1·t2,
 * at most 0.8 + 0.2 t1·t2, where t1·t2 is a sum of 64 random signs / 64 (about ±0.125): it comes
 * above 0.96 only if the tags agree on 58 of 64 signs (odds about 5e-12). So no other bucket's row
 * outranks a candidate for a hit, yet buckets stay close enough for the index's graph to walk
 * between them (with W = 0.5 they were so far apart that a search of 48 candidates started among
 * another tenant's 300 rows sometimes never reached this tenant's 6). The embeddings' similarity
 * is recovered exactly: cos(e1, e2) = (cos(v1, v2) - W) / (1 - W).
 */
export const TAG_DIMS = 64;

/** The tag's share of a stored vector's squared length. */
const W = 0.2;
const EMBEDDING_SCALE = Math.sqrt(1 - W);
const TAG_SCALE = Math.sqrt(W);

/** The stored (and queried) vector for an embedding in a bucket: dims + TAG_DIMS floats, unit length. */
export function partitioned(embedding: Float32Array | number[], bucket: string): Float32Array {
  const dims = embedding.length;
  const out = new Float32Array(dims + TAG_DIMS);
  let norm = 0;
  for (let i = 0; i < dims; i++) norm += embedding[i]! * embedding[i]!;
  norm = Math.sqrt(norm);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new RangeError('an embedding of zero length (or with non-finite values) cannot be compared');
  for (let i = 0; i < dims; i++) out[i] = (embedding[i]! / norm) * EMBEDDING_SCALE;
  const tag = bucketTag(bucket);
  for (let i = 0; i < TAG_DIMS; i++) out[dims + i] = tag[i]! * TAG_SCALE;
  return out;
}

/** The embeddings' cosine similarity from the stored vectors' (both of one bucket). */
export const embeddingSimilarity = (storedSimilarity: number) => (storedSimilarity - W) / (1 - W);

/** The stored vectors' similarity an embedding similarity corresponds to (in one bucket). */
export const storedSimilarity = (embeddingSim: number) => (1 - W) * embeddingSim + W;

function bucketTag(bucket: string): Float32Array {
  const bytes = new Bun.CryptoHasher('sha256').update(bucket).digest();
  const tag = new Float32Array(TAG_DIMS);
  const unit = 1 / Math.sqrt(TAG_DIMS);
  for (let i = 0; i < TAG_DIMS; i++) tag[i] = (bytes[i >> 3]! >> (i & 7)) & 1 ? unit : -unit;
  return tag;
}
