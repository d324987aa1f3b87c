import { toOpenAIUsage } from '../openai/usage.ts';
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
export const openAIUsage = toOpenAIUsage;

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
