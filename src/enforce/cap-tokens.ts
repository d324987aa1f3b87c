import type { RequestBody } from '../policy/input.ts';
import { COMPLETIONS_DEFAULT_MAX_TOKENS } from '../wire/completions.ts';

/** The completion-token limit a request asks for, if any. */
export function requestedMaxTokens(b: RequestBody): number | undefined {
  if (b.endpoint === 'embeddings') return undefined;
  if (b.endpoint === 'messages') return b.body.max_tokens;
  if (b.endpoint === 'completions') return b.body.max_tokens ?? COMPLETIONS_DEFAULT_MAX_TOKENS;
  if (b.endpoint === 'responses') return b.body.max_output_tokens ?? undefined;
  return b.body.max_completion_tokens ?? b.body.max_tokens ?? undefined;
}

/**
 * Applies the policy's max_tokens cap: lowers the request's limit, or sets one when absent.
 * The operator's decision, not a silent change of a client value behind its back: the response
 * carries `x-tollgate-max-tokens` so the caller can see it.
 */
export function capMaxTokens<B extends RequestBody>(b: B, cap: number | undefined): B {
  if (cap === undefined || b.endpoint === 'embeddings') return b;
  const asked = requestedMaxTokens(b);
  if (asked !== undefined && asked <= cap) return b;
  if (b.endpoint === 'messages' || b.endpoint === 'completions') return { ...b, body: { ...b.body, max_tokens: cap } } as B;
  if (b.endpoint === 'responses') return { ...b, body: { ...b.body, max_output_tokens: cap } };
  const body = { ...b.body };
  if (body.max_completion_tokens != null || body.max_tokens == null) body.max_completion_tokens = cap;
  if (body.max_tokens != null) body.max_tokens = cap;
  return { ...b, body } as B;
}
