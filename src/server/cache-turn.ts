import type { Context } from 'hono';
import { cacheableAnswer } from '../cache/cacheable.ts';
import { fingerprint, shortKey, type CachedEndpoint } from '../cache/fingerprint.ts';
import { splitLastTurn } from '../cache/last-turn.ts';
import { cachePlan, type CachePlan, type ClientAsk } from '../cache/plan.ts';
import type { ResponseCache } from '../cache/response-cache.ts';
import type { EmbedCaller } from '../cache/semantic-embedder.ts';
import type { Admission } from '../enforce/admit.ts';
import { priceUsage } from '../exchange/price-usage.ts';
import { requestedBetas, type RequestBody } from '../policy/input.ts';
import type { Usage } from '../providers/types.ts';
import type { Target } from '../routing/target.ts';
import type { CacheEntry } from '../store/cache-entries.ts';
import type { Env } from './context.ts';
import { paramRules } from '../providers/param-rules.ts';

const CACHED = new Set<string>(['chat.completions', 'messages', 'responses']);
const targetId = (t: { provider: string; model: string }) => `${t.provider}\u0000${t.model}`;

/** The cache's part in one admitted request: its plan and the keys it would be stored under, per target. */
export interface CacheTurn {
  cache: ResponseCache;
  plan: CachePlan;
  endpoint: CachedEndpoint;
  /** Exact keys, in the order the targets would be tried (the first is the one reported on a miss). */
  keys: { key: string; target: Target }[];
  /** The decision asked for semantic hits on a gateway without `cache.semantic`: only exact hits, and the answer says so. */
  semanticUnavailable?: boolean;
  /** The semantic cache's context fingerprint per target, and the last user turn's words. */
  semantic?: { contexts: Map<string, string>; text: string; threshold: number; caller: EmbedCaller };
  /** The exact key for a target (a fallback that served may not be among `keys`). */
  keyFor(target: { provider: string; model: string }): string;
}

export interface CacheHit {
  entry: CacheEntry;
  similarity?: number;
  /** Served the answer of an identical miss that was in flight on this instance. */
  coalesced?: boolean;
}

/** The cache's part for a request, or undefined when the decision caches nothing (or this endpoint is not cached). */
export function cacheTurn(c: Context<Env>, cache: ResponseCache | undefined, admission: Admission<RequestBody>, endpoint: string, ask: ClientAsk): CacheTurn | undefined {
  const principal = c.get('principal');
  if (!cache || !principal || !CACHED.has(endpoint)) return undefined;
  const plan = cachePlan(admission.decision?.cache, ask, principal, c.get('runtime').config.cache);
  if (!plan) return undefined;
  const ep = endpoint as CachedEndpoint;
  const body = admission.request.body as Record<string, unknown>;
  const betas = requestedBetas(c.req.raw.headers);
  const seen = new Set<string>();
  const targets = admission.targets.filter((t) => !seen.has(targetId(t)) && seen.add(targetId(t)));
  const runtime = c.get('runtime');
  const modelParams = runtime.catalog.resolve(admission.publicModel)?.model?.params;
  // The config's overrides for the target: a changed `drop` list changes what the provider is sent.
  const params = (t: { provider: string }) => paramRules(runtime.config.providers[t.provider]?.params, modelParams);
  const keyFor = (t: { provider: string; model: string }) => fingerprint({ endpoint: ep, provider: t.provider, model: t.model, publicModel: admission.publicModel, tenant: plan.tenant, body, betas, params: params(t) });
  const keys = targets.map((target) => ({ target, key: keyFor(target) }));
  const split = plan.semantic !== undefined && cache.semantic ? splitLastTurn(ep, body) : undefined;
  const semantic = split && {
    text: split.text,
    threshold: plan.semantic!,
    // The embeddings are billed to this caller; the add after the answer runs without the request's signal.
    caller: { principal, runtime: c.get('runtime'), requestId: c.get('requestId') },
    contexts: new Map(targets.map((t) => [targetId(t), fingerprint({ endpoint: ep, provider: t.provider, model: t.model, publicModel: admission.publicModel, tenant: plan.tenant, body: split.rest, betas, params: params(t) })])),
  };
  return { cache, plan, endpoint: ep, keys, semantic, keyFor, ...(plan.semantic !== undefined && !cache.semantic ? { semanticUnavailable: true } : {}) };
}

/** A stored answer for the request: exact first, then (when asked and configured) semantic, within the tenant. */
export async function findCached(turn: CacheTurn): Promise<CacheHit | undefined> {
  if (!turn.plan.read || !turn.keys.length) return undefined;
  const exact = await turn.cache.lookup(turn.keys.map((k) => k.key));
  if (exact) return { entry: exact };
  const index = turn.cache.semantic;
  if (!turn.semantic || !index) return undefined;
  // Only the first target is asked: the first target is the one that serves unless it fails (the
  // index keeps the lookup's embedding, so more targets would cost lookups, not embedding calls).
  const target = turn.keys[0]!.target;
  const context = turn.semantic.contexts.get(targetId(target))!;
  const hit = await index.lookup(turn.plan.tenant, context, turn.semantic.text, turn.semantic.threshold, turn.semantic.caller).catch(() => undefined);
  if (!hit || hit.similarity < turn.semantic.threshold) return undefined;
  const entry = await turn.cache.lookup([hit.entryKey]);
  // The index is trusted for nothing but the pointer: the entry must be this tenant's and this target's.
  if (entry && entry.tenant === turn.plan.tenant && entry.provider === target.provider && entry.model === target.model) return { entry, similarity: hit.similarity };
  return undefined;
}

/** What the answer's headers say the cache did. */
export function cacheHeaders(turn: CacheTurn, hit?: CacheHit): Record<string, string> {
  const state = hit ? 'hit' : turn.plan.bypassed ? 'bypass' : 'miss';
  const key = hit?.entry.key ?? turn.keys[0]?.key;
  return {
    ...turn.plan.headers,
    'x-tollgate-cache': state,
    ...(key ? { 'x-tollgate-cache-key': shortKey(key) } : {}),
    ...(hit?.similarity !== undefined ? { 'x-tollgate-cache-similarity': hit.similarity.toFixed(4) } : {}),
    ...(hit?.coalesced ? { 'x-tollgate-cache-coalesced': '1' } : {}),
    ...(turn.semanticUnavailable ? { 'x-tollgate-cache-semantic': 'not-configured' } : {}),
  };
}

export const cacheState = (turn: CacheTurn | undefined): 'miss' | 'bypass' | undefined => (turn ? (turn.plan.bypassed ? 'bypass' : 'miss') : undefined);

/**
 * Stores a delivered answer when the plan writes and the answer is complete and successful,
 * under the key of the target that served it, with what it cost (each later hit saves that).
 * Returns the entry stored (undefined when the answer is not kept).
 */
export function storeAnswer(c: Context<Env>, turn: CacheTurn | undefined, served: { provider: string; model: string }, value: unknown, usage: Usage, publicModel: string): CacheEntry | undefined {
  if (!turn?.plan.write || !cacheableAnswer(turn.endpoint, value)) return undefined;
  const runtime = c.get('runtime');
  const now = turn.cache.now();
  const entry: CacheEntry = {
    key: turn.keys.find((k) => targetId(k.target) === targetId(served))?.key ?? turn.keyFor(served),
    tenant: turn.plan.tenant,
    team: turn.plan.team,
    endpoint: turn.endpoint,
    provider: served.provider,
    model: served.model,
    publicModel,
    createdAt: now,
    expiresAt: now + turn.plan.ttlMs,
    costMicros: priceUsage(runtime, served.provider, served.model, usage),
    answer: JSON.stringify(value),
  };
  if (!turn.cache.fits(entry)) return undefined;
  const context = turn.semantic?.contexts.get(targetId(served));
  void turn.cache.write(entry, context && turn.semantic ? { contextFingerprint: context, lastUserText: turn.semantic.text, keyId: c.get('principal')?.keyId, caller: turn.semantic.caller } : undefined);
  return entry;
}
