/**
 * The semantic cache as the config asks for it (`cache.semantic`): checked at startup, so a
 * model that cannot embed or a database without libSQL vectors stops the gateway with its cause
 * instead of making every lookup a silent miss; then built over the app's own router and admission.
 */
import type { Client } from '@libsql/client';
import type { CacheConfig } from '../config/cache-schema.ts';
import type { Runtime } from '../config/runtime.ts';
import type { Logger } from '../lib/logger.ts';
import { semanticCache, type SemanticCache } from './semantic-cache.ts';
import { routedEmbedder, type RoutedEmbedderDeps } from './semantic-embedder.ts';
import { ensureSemanticSpace, semanticStore } from './semantic-store.ts';

export interface SemanticSettings {
  embedding_model: string;
  dimensions: number;
  /** The vector table's bound (the exact cache's entry bound: every vector points at an entry). */
  max_entries: number;
}

/** Throws an Error naming the setting and the cause when the semantic cache cannot work. */
export async function checkSemanticSetup(client: Client, runtime: Runtime, s: SemanticSettings, now: number): Promise<void> {
  const entry = runtime.catalog.resolve(s.embedding_model);
  if (!entry) throw new Error(`cache.semantic.embedding_model: no model '${s.embedding_model}' in models: (name one with kind: embeddings)`);
  if (entry.model.kind !== 'embeddings') throw new Error(`cache.semantic.embedding_model: '${s.embedding_model}' is a chat model; name one with kind: embeddings`);
  try {
    await ensureSemanticSpace(client, s.dimensions, now);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Error(`cache.semantic: the database cannot hold a ${s.dimensions}-dimension vector index (${why}); the semantic cache needs libSQL vectors (a local file, sqld, Turso or an embedded replica of one)`);
  }
}

/** The semantic cache `cache.semantic` names (undefined when it names no model), its embeddings made through `deps`' admission and router. */
export function semanticIndexFor(client: Client, cache: CacheConfig, deps: RoutedEmbedderDeps & { logger: Logger; now: () => number }): SemanticCache | undefined {
  const s = semanticSettings(cache);
  if (!s) return undefined;
  return semanticCache({
    store: semanticStore(client, { dims: s.dimensions, maxEntries: s.max_entries, now: deps.now }),
    embedder: routedEmbedder(deps, s.embedding_model),
    logger: deps.logger,
  });
}

/** The settings when the semantic cache is on. */
export function semanticSettings(cache: CacheConfig): SemanticSettings | undefined {
  const { embedding_model, dimensions } = cache.semantic;
  return embedding_model && dimensions ? { embedding_model, dimensions, max_entries: cache.max_entries } : undefined;
}
