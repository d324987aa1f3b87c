import { emptyUsage, type Usage } from '../types.ts';

/**
 * Gemini `usageMetadata` → Usage. `promptTokenCount` already includes cached tokens; tool-use
 * prompt tokens (search results and the like) are billed as input; thinking tokens are billed as
 * output but reported apart from `candidatesTokenCount`. Streams repeat a running total on each
 * event, so the last one read wins.
 */
export function readGeminiUsage(u: unknown): Usage {
  const usage = emptyUsage();
  if (!u || typeof u !== 'object') return usage;
  const o = u as Record<string, unknown>;
  const thoughts = num(o.thoughtsTokenCount);
  usage.input_tokens = num(o.promptTokenCount) + num(o.toolUsePromptTokenCount);
  usage.output_tokens = num(o.candidatesTokenCount) + thoughts;
  usage.cached_input_tokens = num(o.cachedContentTokenCount);
  usage.reasoning_tokens = thoughts;
  return usage;
}

/** Usage in the shape OpenAI clients read. */
export function openAIUsage(u: Usage) {
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    total_tokens: u.input_tokens + u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_input_tokens },
    completion_tokens_details: { reasoning_tokens: u.reasoning_tokens },
  };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
