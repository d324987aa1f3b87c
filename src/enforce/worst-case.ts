import type { ProviderType } from '../config/schema.ts';
import type { Runtime } from '../config/runtime.ts';
import { GatewayError } from '../lib/errors.ts';
import type { RequestBody } from '../policy/input.ts';
import { worstCaseMicros } from '../pricing/cost.ts';
import type { Price } from '../pricing/types.ts';
import { DEFAULT_MAX_TOKENS as ANTHROPIC_DEFAULT, THINKING_BUDGET as ANTHROPIC_THINKING } from '../providers/anthropic/openai-anthropic-request.ts';
import { THINKING_BUDGET as GEMINI_THINKING } from '../providers/gemini/request.ts';
import type { Target } from '../routing/target.ts';
import { promptText } from './prompt-text.ts';
import { COMPLETIONS_DEFAULT_MAX_TOKENS, generatedChoices } from '../wire/completions.ts';

/** The cap Tollgate sends when a bounded request sets none and the model's maximum is unknown. */
export const DEFAULT_OUTPUT_CAP = 4096;

/**
 * Prompt tokens no provider can exceed for this text: every tokenizer in use (byte-level BPE,
 * SentencePiece with byte fallback) spends at least one UTF-8 byte per token, so the byte count
 * bounds the token count where ~4 characters a token only estimates it (CJK or emoji text runs
 * near a token a character). `extra` adds token ids and message framing. Images and documents
 * are billed apart and not bounded here.
 */
export function inputBound(r: RequestBody, extra: number): number {
  return promptBound(promptText(r), extra);
}

/** inputBound for prompt text already collected (promptText). */
export function promptBound(prompt: string, extra: number): number {
  return Buffer.byteLength(prompt, 'utf8') + extra;
}

/**
 * Output tokens (all choices together) a provider of this type can bill for the request as its
 * translator sends it upstream; Infinity when nothing caps it. Mirrors each translator: the
 * Anthropic one always sends a cap (thinking included in it) and refuses n > 1; Gemini's
 * thinking budget may come on top of maxOutputTokens, once per candidate; OpenAI wires bill
 * `max_completion_tokens` (reasoning included) once per choice.
 */
export function outputBound(r: RequestBody, type: ProviderType): number {
  if (r.endpoint === 'embeddings') return 0;
  // Every completions translator sends max_tokens (OpenAI's 16 when absent), for each choice of each prompt.
  if (r.endpoint === 'completions') return generatedChoices(r.body) * (r.body.max_tokens ?? COMPLETIONS_DEFAULT_MAX_TOKENS);
  if (r.endpoint === 'messages') {
    const t = r.body.thinking;
    const budget = t?.type === 'enabled' ? (t.budget_tokens ?? 0) : 0;
    // Thinking counts inside max_tokens, except interleaved thinking, whose budget may pass it.
    return r.body.max_tokens + (budget >= r.body.max_tokens ? budget : 0);
  }
  if (r.endpoint === 'responses') return responsesOutputBound(r.body.max_output_tokens ?? undefined, r.body.reasoning?.effort ?? undefined, type);
  const b = r.body;
  const choices = b.n ?? 1;
  const asked = b.max_completion_tokens ?? b.max_tokens ?? undefined;
  const effort = b.reasoning_effort ?? undefined;
  if (type === 'anthropic') return asked ?? (effort ? ANTHROPIC_THINKING[effort] + ANTHROPIC_DEFAULT : ANTHROPIC_DEFAULT);
  if (asked === undefined) return Infinity;
  if (type === 'gemini') return choices * (asked + (effort ? GEMINI_THINKING[effort] : 0));
  return choices * asked;
}

/**
 * A Responses request: `max_output_tokens` includes reasoning on OpenAI; translated to another
 * wire it is sent as max_completion_tokens with reasoning_effort, so the chat rules apply.
 */
function responsesOutputBound(asked: number | undefined, effort: string | undefined, type: ProviderType): number {
  const e = effort && effort !== 'none' ? (effort as keyof typeof ANTHROPIC_THINKING) : undefined;
  if (type === 'anthropic') return asked ?? (e ? ANTHROPIC_THINKING[e] + ANTHROPIC_DEFAULT : ANTHROPIC_DEFAULT);
  if (asked === undefined) return Infinity;
  if (type === 'gemini') return asked + (e ? GEMINI_THINKING[e] : 0);
  return asked;
}

/**
 * How many times the prompt is billed: legacy completions through chat on Anthropic and Bedrock
 * send every prompt once per choice (one call each, providers/completions-chat.ts), so n times.
 */
export function inputCopies(r: RequestBody, type: ProviderType): number {
  return r.endpoint === 'completions' && (type === 'anthropic' || type === 'bedrock') ? Math.max(r.body.n ?? 1, 1) : 1;
}

export interface Bounded<B extends RequestBody> {
  request: B;
  /** The targets that may serve it (unpriced ones are dropped when money is at stake). */
  targets: Target[];
  /** The most the request can cost on any of its targets, in micro-dollars (rounded up). */
  worstMicros: number;
  /** The most output tokens it can be billed on any target. */
  outputTokens: number;
  /** The most times any target bills the prompt (inputCopies). */
  inputCopies: number;
  /** The output cap Tollgate added because the client sent none. */
  cap?: number;
}

export interface BoundOptions {
  /** Estimated prompt tokens. */
  inputTokens: number;
  /** A budget applies: every target must be priced, and the request gets an explicit cap. */
  billed: boolean;
  /** A token rate limit applies: the request gets an explicit cap. */
  capped: boolean;
  /** Config default for the cap when the model's maximum is unknown. */
  defaultCap?: number;
  /** The decision places 1-hour prompt-cache breakpoints (`prompt_cache: {mode: auto, ttl: 1h}`). */
  hourWrites?: boolean;
}

/**
 * The one place a request's worst case is worked out (budget holds and tpm holds alike). When
 * it must be bounded and the client set no output cap, Tollgate sends one itself: the model's
 * known maximum output, else the default, plus room for the thinking that reasoning_effort asks
 * for, so the bound is what the provider is told, never a guess.
 */
export function boundRequest<B extends RequestBody>(runtime: Runtime, request: B, targets: Target[], o: BoundOptions): Bounded<B> {
  const priceOf = (t: Target): Price | undefined => {
    const type = runtime.config.providers[t.provider]?.type;
    return type ? runtime.prices.lookup(type, t.model) : undefined;
  };
  let usable = targets;
  if (o.billed) {
    usable = targets.filter((t) => priceOf(t));
    if (!usable.length) {
      const t = targets[0]!;
      throw new GatewayError(
        'forbidden',
        `The model '${t.model}' on provider '${t.provider}' has no price, and this request is under a budget, so Tollgate cannot bill it. Add it to the config under prices: (USD per 1M tokens), e.g. prices: { "${t.model}": { input: 1.0, output: 2.0 } }.`,
        { code: 'model_unpriced', param: 'model' },
      );
    }
  }
  let body = request;
  let cap: number | undefined;
  if ((o.billed || o.capped) && body.endpoint === 'chat.completions' && body.body.max_completion_tokens == null && body.body.max_tokens == null) {
    const known = usable.map((t) => priceOf(t)?.max_output_tokens).filter((n): n is number => n !== undefined);
    const effort = body.body.reasoning_effort ?? undefined;
    cap = (known.length ? Math.min(...known) : (o.defaultCap ?? DEFAULT_OUTPUT_CAP)) + (effort ? ANTHROPIC_THINKING[effort] : 0);
    body = { ...body, body: { ...body.body, max_completion_tokens: cap } };
  } else if ((o.billed || o.capped) && body.endpoint === 'responses' && body.body.max_output_tokens == null) {
    const known = usable.map((t) => priceOf(t)?.max_output_tokens).filter((n): n is number => n !== undefined);
    const effort = body.body.reasoning?.effort;
    cap = (known.length ? Math.min(...known) : (o.defaultCap ?? DEFAULT_OUTPUT_CAP)) + (effort && effort !== 'none' ? ANTHROPIC_THINKING[effort] : 0);
    body = { ...body, body: { ...body.body, max_output_tokens: cap } };
  }
  let worstMicros = 0;
  let outputTokens = 0;
  let copies = 1;
  // Only a 1-hour breakpoint can write at the 1-hour rate (2x input on Claude); scanned only when money is at stake.
  const hourWrites = o.billed && (o.hourWrites || asksHourWrites(body.body));
  for (const t of usable) {
    const type = runtime.config.providers[t.provider]?.type;
    if (!type) continue;
    const out = outputBound(body, type);
    outputTokens = Math.max(outputTokens, out);
    const c = inputCopies(body, type);
    copies = Math.max(copies, c);
    const price = priceOf(t);
    if (price && Number.isFinite(out)) worstMicros = Math.max(worstMicros, worstCaseMicros(o.inputTokens * c, out, price, { hourWrites }));
  }
  return { request: body, targets: usable, worstMicros, outputTokens, inputCopies: copies, cap };
}

/** The body holds a 1-hour cache breakpoint. Serialised JSON escapes quotes in strings, so prompt text cannot fake one. */
function asksHourWrites(body: unknown): boolean {
  return /"ttl":"1h"/.test(JSON.stringify(body));
}
