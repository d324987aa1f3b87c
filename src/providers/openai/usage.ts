import { emptyUsage, type Usage } from '../types.ts';

/** Reads an OpenAI `usage` object (chat or embeddings), including cached and reasoning details. */
export function readOpenAIUsage(u: unknown): Usage {
  const usage = emptyUsage();
  if (!u || typeof u !== 'object') return usage;
  const o = u as Record<string, unknown>;
  usage.input_tokens = num(o.prompt_tokens);
  usage.output_tokens = num(o.completion_tokens);
  const pd = o.prompt_tokens_details as Record<string, unknown> | undefined;
  const cd = o.completion_tokens_details as Record<string, unknown> | undefined;
  // DeepSeek reports cache hits at the top level.
  usage.cached_input_tokens = num(pd?.cached_tokens) || num(o.prompt_cache_hit_tokens);
  usage.reasoning_tokens = num(cd?.reasoning_tokens);
  // Not OpenAI's own field: what toOpenAIUsage states for a prompt cache write (Anthropic, Bedrock).
  usage.cache_write_tokens = num(o.cache_creation_input_tokens);
  const creation = o.cache_creation as Record<string, unknown> | undefined;
  usage.cache_write_1h_tokens = Math.min(usage.cache_write_tokens, num(creation?.ephemeral_1h_input_tokens));
  return usage;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * Usage in the shape OpenAI clients read (chat completions and stream usage chunks). OpenAI has
 * no field for a prompt cache write, so one (Anthropic, Bedrock) is stated as
 * `cache_creation_input_tokens`, as LiteLLM does: a part of prompt_tokens that was billed at the
 * write price, and what an Anthropic client reached through this shape reads back; with its TTL
 * split in Anthropic's `cache_creation` when part of it was written for an hour.
 */
export function toOpenAIUsage(u: Usage) {
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    total_tokens: u.input_tokens + u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_input_tokens },
    completion_tokens_details: { reasoning_tokens: u.reasoning_tokens },
    ...(u.cache_write_tokens ? { cache_creation_input_tokens: u.cache_write_tokens } : {}),
    ...(u.cache_write_1h_tokens ? { cache_creation: cacheCreation(u) } : {}),
  };
}

/** Anthropic's split of a cache write by TTL. */
export function cacheCreation(u: Usage): { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } {
  const hour = Math.min(u.cache_write_1h_tokens, u.cache_write_tokens);
  return { ephemeral_5m_input_tokens: u.cache_write_tokens - hour, ephemeral_1h_input_tokens: hour };
}
