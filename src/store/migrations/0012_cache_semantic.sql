-- The semantic cache's vector spaces. A libSQL vector column has its dimension in its type
-- (F32_BLOB(<dims>)) and the dimension comes from config (cache.semantic.dimensions), so the
-- vector tables cannot be made here: src/cache/semantic-store.ts creates
-- `cache_semantic_vectors_<dims>` and its index at startup for the configured dimension and
-- records it in this table, so stats and purges find every space ever made.
CREATE TABLE `cache_semantic_spaces` (
	`dims` integer PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
