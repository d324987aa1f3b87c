import type { ProviderType } from '../config/schema.ts';

/** Who publishes a price list. Azure OpenAI is priced by the underlying OpenAI model. */
export type Vendor =
  | 'openai'
  | 'anthropic'
  | 'gemini'
  | 'bedrock'
  | 'mistral'
  | 'groq'
  | 'deepseek'
  | 'xai'
  | 'together'
  | 'fireworks';

/** What `lookup` is asked about: a configured provider type, or a vendor when the caller knows it. */
export type PriceScope = ProviderType | Vendor;

/**
 * Rates as vendors publish them: USD per 1M tokens. Omitted rates fall back when a price is
 * resolved: cached_input and cache_write to input, cache_write_1h to cache_write, reasoning to output.
 */
export interface UsdRates {
  input: number;
  output: number;
  /** Cache reads (prompt-cache hits). */
  cached_input?: number;
  /** Cache writes at the 5-minute TTL (Anthropic, Bedrock, OpenAI GPT-5.6). */
  cache_write?: number;
  /** Cache writes at the 1-hour TTL (Anthropic and Bedrock Claude: 2x input); omitted, the 5-minute write rate. */
  cache_write_1h?: number;
  /** Only where reasoning is priced apart from output. */
  reasoning?: number;
}

/**
 * A whole-request tier: when a request's input_tokens (cached and cache-written included) exceed
 * `above_input_tokens`, these rates replace the base rates for every token of that request.
 */
export interface UsdLongContext extends UsdRates {
  above_input_tokens: number;
}

/** One row of the shipped price list. */
export interface CatalogEntry extends UsdRates {
  /** ISO date the price took effect, or, where the source notes say so, the date it was read. */
  effective_date: string;
  /** Where the numbers come from, and any doubt about them. */
  source: string;
  long_context?: UsdLongContext;
  /** The model's largest answer in tokens, where the vendor publishes one. */
  max_output_tokens?: number;
}

export type VendorCatalog = Readonly<Record<string, CatalogEntry>>;

/** Resolved rates in integer micro-USD per 1M tokens, which is the same as pico-USD per token. */
export interface Rates {
  input: number;
  output: number;
  cached_input: number;
  cache_write: number;
  cache_write_1h: number;
  reasoning: number;
}

export interface LongContextRates {
  above_input_tokens: number;
  micros_per_mtok: Rates;
}

/** A price as `lookup` returns it; `costMicros` needs nothing else. */
export interface Price {
  vendor: Vendor | 'override';
  /** The catalog or override key that matched. */
  model: string;
  /** How the requested id matched: as given, after normalisation, or by the longest family prefix. */
  match: 'exact' | 'normalised' | 'family';
  micros_per_mtok: Rates;
  long_context?: LongContextRates;
  effective_date?: string;
  source: string;
  /** The model's largest answer in tokens, when known (catalog row or override). */
  max_output_tokens?: number;
}
