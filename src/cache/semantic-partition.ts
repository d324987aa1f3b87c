/**
 * Partitions one vector index by bucket (scope, context, embedding model) through geometry.
 *
 * `vector_top_k` ranks a whole table, and its graph search reaches only part of it (asked for
 * k = 512 of 306 rows it returned about 200): when another tenant holds many vectors nearer to a
 * question than this tenant's, filtering the top k by tenant afterwards finds nothing. So each
 * stored vector is the embedding and a bucket tag side by side, each half the weight:
 *   v = [e / |e|, t(bucket)] / sqrt 2,   t = a ±1/sqrt(TAG_DIMS) sign vector from sha-256(bucket)
 * Two rows of one bucket then have cos(v1, v2) = (cos(e1, e2) + 1) / 2, so a hit at threshold
 * 0.95 sits at 0.975 or more; a row of another bucket has (cos(e1, e2) + t1·t2) / 2, about 0.5
 * (t1·t2 is a sum of 64 random signs / 64), and it reaches 0.975 only if the two tags agree on 63
 * of 64 signs (odds 65 / 2^64) — so no other bucket's row comes near a candidate for a hit. The index then keeps buckets apart by itself, and the similarity of
 * the embeddings is recovered exactly: cos(e1, e2) = 2 cos(v1, v2) - 1.
 */
export const TAG_DIMS = 64;

const HALF = Math.SQRT1_2;

/** The stored (and queried) vector for an embedding in a bucket: dims + TAG_DIMS floats, unit length. */
export function partitioned(embedding: Float32Array | number[], bucket: string): Float32Array {
  const dims = embedding.length;
  const out = new Float32Array(dims + TAG_DIMS);
  let norm = 0;
  for (let i = 0; i < dims; i++) norm += embedding[i]! * embedding[i]!;
  norm = Math.sqrt(norm);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new RangeError('an embedding of zero length (or with non-finite values) cannot be compared');
  for (let i = 0; i < dims; i++) out[i] = (embedding[i]! / norm) * HALF;
  const tag = bucketTag(bucket);
  for (let i = 0; i < TAG_DIMS; i++) out[dims + i] = tag[i]! * HALF;
  return out;
}

/** The embeddings' cosine similarity from the stored vectors' (both of one bucket). */
export const embeddingSimilarity = (storedSimilarity: number) => 2 * storedSimilarity - 1;

/** The stored vectors' similarity an embedding similarity corresponds to (in one bucket). */
export const storedSimilarity = (embeddingSim: number) => (embeddingSim + 1) / 2;

function bucketTag(bucket: string): Float32Array {
  const bytes = new Bun.CryptoHasher('sha256').update(bucket).digest();
  const tag = new Float32Array(TAG_DIMS);
  const unit = 1 / Math.sqrt(TAG_DIMS);
  for (let i = 0; i < TAG_DIMS; i++) tag[i] = (bytes[i >> 3]! >> (i & 7)) & 1 ? unit : -unit;
  return tag;
}
