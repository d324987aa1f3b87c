/**
 * The semantic cache's index (implemented by semantic-cache.ts over libSQL vectors). The exact cache
 * asks it on an exact miss when the decision has `cache.semantic` and an index is configured.
 *
 * `scope` is the tenant (`key:<id>`, `team:<id>`, `global`); `contextFingerprint` is the
 * fingerprint of everything but the last user turn's words (same endpoint, target, tenant, system
 * prompt, tools, parameters and earlier turns). A hit must match both exactly and have a
 * similarity at or above `threshold`; it names the exact cache entry whose answer is served.
 */
import type { EmbedCaller } from './semantic-embedder.ts';

export interface SemanticIndex {
  /** `caller` is whom the lookup's embedding is billed to; without one nothing is embedded (a miss). */
  lookup(scope: string, contextFingerprint: string, lastUserText: string, threshold: number, caller?: EmbedCaller): Promise<SemanticHit | undefined>;
  /** Indexes a stored entry under its context; called after the exact entry is written. */
  add(entry: SemanticEntry): Promise<void>;
  /** Forgets the index rows of these exact entries (purged or evicted). */
  remove?(entryKeys: string[]): Promise<void>;
}

export interface SemanticHit {
  /** The exact cache entry's key (its fingerprint). */
  entryKey: string;
  similarity: number;
}

export interface SemanticEntry {
  scope: string;
  contextFingerprint: string;
  lastUserText: string;
  entryKey: string;
  /** When the exact entry expires (epoch ms): the index row goes with it. */
  expiresAt: number;
  /** Who the embedding call is attributed to (billed like any request). */
  team?: string;
  keyId?: string;
  /** The request whose answer this is: its embedding is billed to that caller (none: not indexed). */
  caller?: EmbedCaller;
}

/** The default similarity a semantic hit needs when the decision gives no threshold. */
export const DEFAULT_SEMANTIC_THRESHOLD = 0.95;
