import type { CacheConfig } from '../config/cache-schema.ts';
import type { Principal } from '../enforce/principal.ts';
import { GatewayError } from '../lib/errors.ts';
import type { Decision } from '../policy/decision.ts';
import { DEFAULT_SEMANTIC_THRESHOLD } from './semantic-index.ts';

/** The client's cache header: `bypass` (neither read nor write) or `refresh` (do not read; store the fresh answer). */
export const CACHE_HEADER = 'x-tollgate-cache';
export type ClientAsk = 'bypass' | 'refresh' | undefined;

/** The client's ask, read before admission: an unknown value is a 400 (a typo must not silently do nothing). */
export function clientAsk(headers: Headers): ClientAsk {
  const v = headers.get(CACHE_HEADER)?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  if (v === 'bypass' || v === 'no-store') return 'bypass';
  if (v === 'refresh' || v === 'no-cache') return 'refresh';
  throw new GatewayError('invalid_request', `The ${CACHE_HEADER} header must be 'bypass' (or 'no-store') or 'refresh' (or 'no-cache'); got '${v.slice(0, 40)}'.`, { param: CACHE_HEADER });
}

/** What the cache does for one request. */
export interface CachePlan {
  read: boolean;
  write: boolean;
  ttlMs: number;
  /** Whose entries: `key:<id>`, `team:<id>` or `global`. */
  tenant: string;
  team: string | null;
  /** The semantic threshold, when the decision asked for semantic hits. */
  semantic?: number;
  /** The client asked to bypass and the policy allows it. */
  bypassed: boolean;
  /** Headers that say what the cache did with the client's ask. */
  headers: Record<string, string>;
}

/**
 * The tenant of a scope. A `team` scope without a team is the key's own: never wider than asked.
 * A caller with no key (anonymous) has no tenant but `global`: its `key` or `team` scope would be
 * shared by every unauthenticated client, wider than the policy asked, so it is not cached.
 */
export function tenantOf(scope: 'key' | 'team' | 'global', p: Principal): string | undefined {
  if (scope === 'global') return 'global';
  if (scope === 'team' && p.team) return `team:${p.team}`;
  const key = p.keyId ?? p.keyHash;
  return key ? `key:${key}` : undefined;
}

/**
 * The decision's `cache` with the client's ask: undefined when the decision does not cache. A
 * bypass the policy does not allow (`bypass: true`) is not honoured and the answer says so in
 * `x-tollgate-cache-bypass: refused`; the request is served as the policy decided, since refusing
 * it would break clients that always send the header, and the operator chose to cache.
 */
export function cachePlan(d: Decision['cache'], ask: ClientAsk, p: Principal, config: CacheConfig): CachePlan | undefined {
  if (!d || d.mode === 'off') return undefined;
  const tenant = tenantOf(d.scope ?? 'key', p);
  if (!tenant) return undefined;
  const headers: Record<string, string> = {};
  const allowed = ask !== undefined && d.bypass === true;
  if (ask !== undefined && !allowed) headers['x-tollgate-cache-bypass'] = 'refused';
  const read = (d.mode === 'read' || d.mode === 'read_write') && !allowed;
  const write = (d.mode === 'write' || d.mode === 'read_write') && !(allowed && ask === 'bypass');
  const ttl = Math.min(d.ttl_s ?? config.default_ttl_s, config.max_ttl_s);
  return {
    read,
    write,
    ttlMs: ttl * 1000,
    tenant,
    team: p.team ?? null,
    semantic: d.semantic ? (d.semantic.threshold ?? DEFAULT_SEMANTIC_THRESHOLD) : undefined,
    bypassed: allowed,
    headers,
  };
}
