import { z } from 'zod';

const usdPerMillion = z
  .number()
  .nonnegative()
  .refine((n) => Number.isFinite(n) && Math.abs(n * 1e6 - Math.round(n * 1e6)) <= 1e-6, {
    message: 'at most six decimals (USD per 1M tokens)',
  });

/** One configured price, USD per 1M tokens; it replaces the catalog row of the same model or adds one. */
export const priceOverrideSchema = z.strictObject({
  input: usdPerMillion,
  output: usdPerMillion,
  cached_input: usdPerMillion.optional(),
  cache_write: usdPerMillion.optional(),
  /** The 1-hour prompt-cache write; omitted, the 5-minute `cache_write` rate. */
  cache_write_1h: usdPerMillion.optional(),
  reasoning: usdPerMillion.optional(),
  effective_date: z.iso.date().optional(),
  /** The most output tokens the model can produce in one answer; the cap Tollgate sends when a budgeted request sets none. */
  max_output_tokens: z.number().int().positive().optional(),
});

/** `{ [model id]: price }`, for the config schema to embed. */
export const priceOverridesSchema = z.record(z.string().min(1), priceOverrideSchema);

export type PriceOverride = z.infer<typeof priceOverrideSchema>;
export type PriceOverrides = z.infer<typeof priceOverridesSchema>;
