import { toOpenAIUsage } from '../openai/usage.ts';
import { emptyUsage, type Usage } from '../types.ts';

/** Anthropic's raw usage counters. `input_tokens` here excludes cache reads and writes. */
export interface AnthropicRawUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  /** `cache_creation.ephemeral_1h_input_tokens`: the 1-hour part of cache_creation_input_tokens. */
  cache_creation_1h_input_tokens: number;
  thinking_tokens: number;
}

export const emptyRawUsage = (): AnthropicRawUsage => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_creation_1h_input_tokens: 0,
  thinking_tokens: 0,
});

/**
 * Overlays the counters present in `u` on `prev`. A stream reports usage twice (message_start,
 * then message_delta); the later numbers win where present, because server-tool loops and
 * cache writes can change input counts after the start.
 */
export function mergeAnthropicUsage(prev: AnthropicRawUsage, u: unknown): AnthropicRawUsage {
  if (!u || typeof u !== 'object') return prev;
  const o = u as Record<string, unknown>;
  const details = o.output_tokens_details as Record<string, unknown> | null | undefined;
  const creation = o.cache_creation as Record<string, unknown> | null | undefined;
  return {
    input_tokens: num(o.input_tokens) ?? prev.input_tokens,
    output_tokens: num(o.output_tokens) ?? prev.output_tokens,
    cache_read_input_tokens: num(o.cache_read_input_tokens) ?? prev.cache_read_input_tokens,
    cache_creation_input_tokens: num(o.cache_creation_input_tokens) ?? prev.cache_creation_input_tokens,
    cache_creation_1h_input_tokens: num(creation?.ephemeral_1h_input_tokens) ?? prev.cache_creation_1h_input_tokens,
    thinking_tokens: num(details?.thinking_tokens) ?? prev.thinking_tokens,
  };
}

/** Anthropic counters → the ledger's Usage, where input includes cached and cache-written tokens. */
export function toUsage(raw: AnthropicRawUsage): Usage {
  return {
    ...emptyUsage(),
    input_tokens: raw.input_tokens + raw.cache_read_input_tokens + raw.cache_creation_input_tokens,
    output_tokens: raw.output_tokens,
    cached_input_tokens: raw.cache_read_input_tokens,
    cache_write_tokens: raw.cache_creation_input_tokens,
    cache_write_1h_tokens: Math.min(raw.cache_creation_1h_input_tokens, raw.cache_creation_input_tokens),
    reasoning_tokens: raw.thinking_tokens,
  };
}

/** The OpenAI `usage` object for an Anthropic exchange. */
export const openaiUsageOf = toOpenAIUsage;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
