import { sha256Hex } from '../lib/hash.ts';
import { canonicalJson } from './canonical-json.ts';

/** The endpoints whose answers are cached. */
export type CachedEndpoint = 'chat.completions' | 'messages' | 'responses';

/** What a cache key is computed from (everything that can change the answer). */
export interface FingerprintParts {
  endpoint: CachedEndpoint;
  /** The target that serves (or would serve) the request. */
  provider: string;
  model: string;
  /** The model name the client asked for: two names for one target keep their own entries (an answer names its model; purge by model finds them). */
  publicModel?: string;
  /** The scope's tenant: `key:<id>`, `team:<id>` or `global`. */
  tenant: string;
  /** The request as it leaves the gateway (after redaction and token caps). */
  body: Record<string, unknown>;
  /** `anthropic-beta` values sent along (they can change the answer). */
  betas: string[];
  /** The config's parameter overrides for the target (dropped or refused parameters change what is sent). */
  params?: { readonly drop: readonly string[]; readonly refuse: readonly string[] };
}

/**
 * Request fields that cannot change the answer: how it is delivered (`stream`, `stream_options`),
 * who it is attributed to, storage of it, and provider-side prompt-cache hints. Everything else
 * is in the key — an unknown field makes keys differ (a lower hit rate), never a wrong answer.
 * `previous_response_id` is out because the Responses route has already put the conversation it
 * names into `input`.
 */
const NOT_THE_ANSWER = new Set(['model', 'stream', 'stream_options', 'user', 'metadata', 'store', 'previous_response_id', 'safety_identifier', 'prompt_cache_key', 'prompt_cache_retention', 'service_tier']);

const VERSION = 'tollgate-cache-v1';

/** The answer-changing content of a request, canonical. */
export function requestContent(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !NOT_THE_ANSWER.has(k)));
}

/** sha-256 (hex) of the canonical JSON of the parts: deterministic across processes and restarts. */
export function fingerprint(p: FingerprintParts): string {
  const params = p.params && (p.params.drop.length || p.params.refuse.length) ? { drop: [...p.params.drop].sort(), refuse: [...p.params.refuse].sort() } : undefined;
  const doc = { v: VERSION, endpoint: p.endpoint, provider: p.provider, model: p.model, ...(p.publicModel !== undefined ? { public_model: p.publicModel } : {}), tenant: p.tenant, betas: [...p.betas].sort(), request: requestContent(p.body), ...(params ? { params } : {}) };
  return sha256Hex(canonicalJson(doc));
}

/** The short id of a key clients see in `x-tollgate-cache-key` (and admins purge by). */
export const shortKey = (key: string) => key.slice(0, 16);
