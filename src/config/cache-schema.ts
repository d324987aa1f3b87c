import { z } from 'zod';

const MIB = 1024 * 1024;

/** The response cache's bounds. The policy decides what is cached; these say how much may be kept. */
export const CACHE_DEFAULTS = {
  max_entries: 100_000,
  max_bytes: 512 * MIB,
  memory_entries: 2_000,
  memory_bytes: 64 * MIB,
  max_entry_bytes: 1 * MIB,
  default_ttl_s: 3600,
  max_ttl_s: 30 * 24 * 3600,
  coalesce_wait_ms: 30_000,
};

const count = z.number().int().min(1);
const bytes = z.number().int().min(1024);
const seconds = z.number().int().min(1);

export const cacheSchema = z
  .strictObject({
    /** Entries kept in the database (shared by every instance); past it the least recently used go. */
    max_entries: count.default(CACHE_DEFAULTS.max_entries),
    /** Bytes of stored answers kept in the database; past it the least recently used go. */
    max_bytes: bytes.default(CACHE_DEFAULTS.max_bytes),
    /** The in-memory front of hot entries, per instance: at most this many entries … */
    memory_entries: z.number().int().min(0).default(CACHE_DEFAULTS.memory_entries),
    /** … and this many bytes. */
    memory_bytes: z.number().int().min(0).default(CACHE_DEFAULTS.memory_bytes),
    /** An answer larger than this (its JSON) is not stored. */
    max_entry_bytes: bytes.default(CACHE_DEFAULTS.max_entry_bytes),
    /** An entry's lifetime when the decision gives no `ttl_s`. */
    default_ttl_s: seconds.default(CACHE_DEFAULTS.default_ttl_s),
    /** The longest lifetime a decision's `ttl_s` may ask for; longer is cut to it. */
    max_ttl_s: seconds.default(CACHE_DEFAULTS.max_ttl_s),
    /** How long an identical miss waits for the one in flight on this instance before going upstream itself (0: never waits). */
    coalesce_wait_ms: z.number().int().min(0).max(600_000).default(CACHE_DEFAULTS.coalesce_wait_ms),
    /** The semantic cache (see docs/cache.md): off unless `embedding_model` is set. */
    semantic: z
      .strictObject({
        /** A public model name Tollgate routes (kind: embeddings); its calls are billed like any request. */
        embedding_model: z.string().min(1).optional(),
        /** The embedding model's dimensions: the vector table's type (one table per dimension). */
        dimensions: z.number().int().min(1).max(65536).optional(),
      })
      .refine((s) => s.embedding_model === undefined || s.dimensions !== undefined, { message: 'dimensions is required with embedding_model (the number of floats the model returns)', path: ['dimensions'] })
      .default({}),
  })
  .refine((c) => c.max_entry_bytes <= c.max_bytes, { message: 'max_entry_bytes must not exceed max_bytes', path: ['max_entry_bytes'] })
  .refine((c) => c.default_ttl_s <= c.max_ttl_s, { message: 'default_ttl_s must not exceed max_ttl_s', path: ['default_ttl_s'] });

export type CacheConfig = z.output<typeof cacheSchema>;

/** The whole section with its defaults, for `configSchema`'s `.default`. */
export const cacheDefaults = (): CacheConfig => cacheSchema.parse({});
