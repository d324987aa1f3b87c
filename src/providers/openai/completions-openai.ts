import { COMPLETIONS_DEFAULT_MAX_TOKENS, type OpenAICompletionsRequest } from '../../wire/completions.ts';
import type { ChatTranslator } from '../types.ts';
import { openaiPassThrough } from './openai-openai.ts';

/**
 * Legacy completions client → an OpenAI-wire upstream's own /v1/completions (OpenAI's instruct
 * models, Azure, vLLM, Ollama): a pass-through, `echo`, `logprobs`, `suffix` and `best_of`
 * included. max_tokens is sent as OpenAI's default 16 when unset, so every server stops where
 * the budget hold assumed (Ollama's own default has no limit).
 */
export function completionsToOpenAI(provider: string): ChatTranslator<OpenAICompletionsRequest> {
  return openaiPassThrough<OpenAICompletionsRequest>(provider, 'completions', (body) => ({ max_tokens: body.max_tokens ?? COMPLETIONS_DEFAULT_MAX_TOKENS }));
}
