/**
 * The semantic index the exact cache asks on an exact miss (SemanticIndex): the last user turn's
 * words embedded by the configured model (semantic-embedder.ts, billed to the caller) and looked
 * up among the vectors of the same scope, context and model (semantic-store.ts).
 *
 * It fails open to a miss, never to a hit: no caller to bill, an empty text, an embedding that
 * fails or has the wrong dimension, a database error — each is a miss (logged), and the request
 * goes upstream as it would without a cache.
 */
import type { Logger } from '../lib/logger.ts';
import type { EmbedCaller, Embedder } from './semantic-embedder.ts';
import type { SemanticIndex } from './semantic-index.ts';
import type { SemanticStore } from './semantic-store.ts';

export interface SemanticCache extends SemanticIndex {
  remove(entryKeys: string[]): Promise<void>;
}

export interface SemanticCacheOptions {
  store: SemanticStore;
  embedder: Embedder;
  logger: Logger;
  /** Embeddings kept for reuse, so the add after a missed lookup does not pay twice (per request). */
  memo?: number;
}

export function semanticCache(o: SemanticCacheOptions): SemanticCache {
  const memo = new Map<string, Float32Array>();
  const memoMax = o.memo ?? 256;
  const warn = (what: string, e: unknown, requestId?: string) => o.logger.warn(`semantic cache: ${what}; treated as a miss`, { request_id: requestId, error: e instanceof Error ? e.message : String(e) });

  /**
   * The text's embedding for this request: the add after a missed lookup reuses the lookup's. It
   * is never another caller's: each caller's embedding goes through its own admission (models,
   * budget, rate limits) and ledger row, and a key not allowed the embedding model gets no hit.
   */
  async function embedding(scope: string, text: string, caller: EmbedCaller): Promise<Float32Array> {
    const key = JSON.stringify([caller.requestId, scope, text]);
    const known = memo.get(key);
    if (known) {
      memo.delete(key);
      memo.set(key, known);
      return known;
    }
    const v = await o.embedder.embed(text, caller);
    memo.set(key, v);
    if (memo.size > memoMax) memo.delete(memo.keys().next().value!);
    return v;
  }

  return {
    async lookup(scope, contextFingerprint, lastUserText, threshold, caller) {
      if (!caller || !lastUserText.trim()) return undefined;
      try {
        const vector = await embedding(scope, lastUserText, caller);
        return await o.store.nearest({ scope, context: contextFingerprint, embedder: o.embedder.model, vector, threshold });
      } catch (e) {
        warn('lookup failed', e, caller.requestId);
        return undefined;
      }
    },
    async add(entry) {
      const caller = entry.caller;
      if (!caller || !entry.lastUserText.trim()) return;
      try {
        const vector = await embedding(entry.scope, entry.lastUserText, caller);
        await o.store.add({ scope: entry.scope, context: entry.contextFingerprint, embedder: o.embedder.model, entryKey: entry.entryKey, vector, expiresAt: entry.expiresAt });
      } catch (e) {
        warn('not indexed', e, caller.requestId);
      }
    },
    async remove(entryKeys) {
      await o.store.remove(entryKeys);
    },
  };
}
