import { GatewayError } from '../lib/errors.ts';

/**
 * Anthropic's prompt-cache breakpoint, `cache_control: {type: 'ephemeral', ttl?: '5m' | '1h'}`,
 * as clients put it on Anthropic blocks and (the LiteLLM/OpenRouter convention) on OpenAI content
 * parts and tools. One reader for every translator that maps it, so a bad marker is the same 400
 * everywhere instead of an upstream error.
 */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

/** Anthropic refuses a request with more breakpoints than this (Bedrock Converse likewise). */
export const MAX_BREAKPOINTS = 4;

const TTLS = new Set(['5m', '1h']);

/** The marker on `holder`, checked; undefined when there is none. Throws a 400 naming `param` for a malformed one. */
export function cacheControlOf(holder: unknown, param: string): CacheControl | undefined {
  const cc = (holder as { cache_control?: unknown } | null | undefined)?.cache_control;
  if (cc == null) return undefined;
  const o = cc as Record<string, unknown>;
  if (typeof cc !== 'object' || o.type !== 'ephemeral') {
    throw new GatewayError('invalid_request', `${param}.type must be 'ephemeral'`, { param: `${param}.type` });
  }
  if (o.ttl !== undefined && (typeof o.ttl !== 'string' || !TTLS.has(o.ttl))) {
    throw new GatewayError('invalid_request', `${param}.ttl must be '5m' or '1h'`, { param: `${param}.ttl` });
  }
  return o.ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl: o.ttl as CacheControl['ttl'] };
}

/** Converse's breakpoint for a marker: `cachePoint: {type: 'default'}`, with its TTL when one was asked for. */
export function cachePointOf(cc: CacheControl): { cachePoint: { type: 'default'; ttl?: '5m' | '1h' } } {
  return { cachePoint: cc.ttl ? { type: 'default', ttl: cc.ttl } : { type: 'default' } };
}
