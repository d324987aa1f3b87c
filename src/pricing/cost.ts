import type { Usage } from '../providers/types.ts';
import type { Price, Rates } from './types.ts';

/*
 * Money is integer micro-USD (1 USD = 1,000,000). Rates are micro-USD per 1M tokens, which is
 * exactly pico-USD per token, so tokens × rate is an exact integer in pico-USD. Components are
 * summed in BigInt and rounded once, on the total:
 *   costMicros       rounds half up   (2,500,000 pico → 3 micros; 2,499,999 → 2)
 *   worstCaseMicros  rounds up        (a reservation is never below the settled cost)
 * Rounding each component instead could drift by up to one micro-dollar per component.
 */
const PICO_PER_MICRO = 1_000_000n;

/**
 * Cost of one request in micro-USD.
 *
 * Usage follows the ledger contract: input_tokens is the whole prompt, with cached_input_tokens
 * (cache reads) and cache_write_tokens inside it, cache_write_1h_tokens inside cache_write_tokens;
 * output_tokens includes reasoning_tokens.
 * Anthropic's wire `input_tokens` (and Bedrock Converse's `inputTokens`) exclude cache reads and
 * writes; the translators add them back, and this subtracts them again:
 *   uncached input  = input − cached − cache_write   (never below 0)
 *   5-minute writes = cache_write − cache_write_1h   (1-hour writes have their own rate)
 *   visible output  = output − reasoning             (never below 0)
 * Reasoning is billed at the reasoning rate, which is the output rate unless a vendor prices it
 * apart. A long-context tier, when the request's input_tokens exceed it, prices every token.
 * Throws a RangeError when a counter is not a whole number >= 0.
 */
export function costMicros(usage: Usage, price: Price): number {
  const input = tokens(usage.input_tokens, 'input_tokens');
  const cached = tokens(usage.cached_input_tokens, 'cached_input_tokens');
  const written = tokens(usage.cache_write_tokens, 'cache_write_tokens');
  const hour = Math.min(tokens(usage.cache_write_1h_tokens ?? 0, 'cache_write_1h_tokens'), written);
  const output = tokens(usage.output_tokens, 'output_tokens');
  const reasoning = tokens(usage.reasoning_tokens, 'reasoning_tokens');
  const r = ratesFor(price, input);

  const pico =
    BigInt(Math.max(0, input - cached - written)) * BigInt(r.input) +
    BigInt(cached) * BigInt(r.cached_input) +
    BigInt(written - hour) * BigInt(r.cache_write) +
    BigInt(hour) * BigInt(r.cache_write_1h) +
    BigInt(Math.max(0, output - reasoning)) * BigInt(r.output) +
    BigInt(reasoning) * BigInt(r.reasoning);
  return Number((pico + PICO_PER_MICRO / 2n) / PICO_PER_MICRO);
}

/**
 * The most a request can cost, for budget reservations: every input token at the dearest input
 * rate (a cache write can cost more than plain input) and `maxTokens` at the dearest output rate,
 * in the tier `inputTokens` falls in. Rounded up. `hourWrites`: the request asks for 1-hour cache
 * writes (a `ttl: '1h'` breakpoint), which only then can happen, so only then count at their rate.
 */
export function worstCaseMicros(inputTokens: number, maxTokens: number, price: Price, opts: { hourWrites?: boolean } = {}): number {
  const input = tokens(inputTokens, 'inputTokens');
  const output = tokens(maxTokens, 'maxTokens');
  const r = ratesFor(price, input);
  const pico =
    BigInt(input) * BigInt(Math.max(r.input, r.cached_input, r.cache_write, opts.hourWrites ? r.cache_write_1h : 0)) +
    BigInt(output) * BigInt(Math.max(r.output, r.reasoning));
  return Number((pico + PICO_PER_MICRO - 1n) / PICO_PER_MICRO);
}

/** The rates that apply to a request with this many input tokens (cached and written included). */
export function ratesFor(price: Price, inputTokens: number): Rates {
  const tier = price.long_context;
  return tier && inputTokens > tier.above_input_tokens ? tier.micros_per_mtok : price.micros_per_mtok;
}

function tokens(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${n}`);
  return n;
}
