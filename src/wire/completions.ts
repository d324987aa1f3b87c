import { z } from 'zod';

/**
 * The legacy OpenAI Completions request (POST /v1/completions). Known fields are typed; unknown
 * fields pass through to upstreams that serve the endpoint natively, and the chat translation
 * refuses what it cannot honour by name.
 */
const tokenIds = z.array(z.number().int()).min(1);

export const completionsRequest = z.looseObject({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.string()).min(1), tokenIds, z.array(tokenIds).min(1)]),
  suffix: z.string().nullable().optional(),
  // 0 is OpenAI's way to score a prompt (with echo and logprobs) without generating.
  max_tokens: z.number().int().nonnegative().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  n: z.number().int().min(1).max(128).nullable().optional(),
  best_of: z.number().int().min(1).max(20).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  logprobs: z.number().int().min(0).max(5).nullable().optional(),
  echo: z.boolean().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  logit_bias: z.record(z.string(), z.number()).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  user: z.string().optional(),
});
export type OpenAICompletionsRequest = z.infer<typeof completionsRequest>;

/** OpenAI's default when a completions request sets no max_tokens (the chat API has none). */
export const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

/** The prompts of a request, as strings or token-id lists: OpenAI answers n choices for each. */
export function promptList(prompt: OpenAICompletionsRequest['prompt']): (string | number[])[] {
  if (typeof prompt === 'string') return [prompt];
  if (typeof prompt[0] === 'number') return [prompt as number[]];
  return prompt as (string | number[])[];
}

/** Choices the upstream generates: `best_of` per prompt when set (returning the best `n`), else `n`. */
export function generatedChoices(body: OpenAICompletionsRequest): number {
  return promptList(body.prompt).length * Math.max(body.n ?? 1, body.best_of ?? 1);
}
