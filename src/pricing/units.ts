import type { CatalogEntry, LongContextRates, Rates, UsdLongContext, UsdRates } from './types.ts';

const MICROS = 1_000_000;

/**
 * USD per 1M tokens → integer micro-USD per 1M tokens. Throws on anything that is not a finite,
 * non-negative amount with at most six decimals, so no price is ever silently rounded.
 */
export function usdToMicros(usd: number, what: string): number {
  if (!Number.isFinite(usd) || usd < 0) throw new RangeError(`${what}: price must be a finite amount >= 0, got ${usd}`);
  const scaled = usd * MICROS;
  const micros = Math.round(scaled);
  // Float noise from the multiplication is ~1e-9; a seventh decimal would be >= 0.1 off.
  if (Math.abs(scaled - micros) > 1e-6 || !Number.isSafeInteger(micros)) {
    throw new RangeError(`${what}: price ${usd} has more than six decimals of a dollar per 1M tokens`);
  }
  return micros;
}

/** Resolves the fallbacks (cache rates → input, the 1-hour write → the 5-minute write, reasoning → output) and converts to micros. */
export function toRates(r: UsdRates, what: string): Rates {
  const input = usdToMicros(r.input, `${what}.input`);
  const output = usdToMicros(r.output, `${what}.output`);
  const cacheWrite = r.cache_write === undefined ? input : usdToMicros(r.cache_write, `${what}.cache_write`);
  return {
    input,
    output,
    cached_input: r.cached_input === undefined ? input : usdToMicros(r.cached_input, `${what}.cached_input`),
    cache_write: cacheWrite,
    cache_write_1h: r.cache_write_1h === undefined ? cacheWrite : usdToMicros(r.cache_write_1h, `${what}.cache_write_1h`),
    reasoning: r.reasoning === undefined ? output : usdToMicros(r.reasoning, `${what}.reasoning`),
  };
}

export function toLongContext(t: UsdLongContext | undefined, what: string): LongContextRates | undefined {
  if (!t) return undefined;
  if (!Number.isSafeInteger(t.above_input_tokens) || t.above_input_tokens < 0) {
    throw new RangeError(`${what}.long_context.above_input_tokens must be a whole number >= 0`);
  }
  return { above_input_tokens: t.above_input_tokens, micros_per_mtok: toRates(t, `${what}.long_context`) };
}

export interface ResolvedEntry {
  micros_per_mtok: Rates;
  long_context?: LongContextRates;
  effective_date?: string;
  source: string;
  max_output_tokens?: number;
}

export function resolveEntry(e: CatalogEntry, what: string): ResolvedEntry {
  const long = toLongContext(e.long_context, what);
  return {
    micros_per_mtok: toRates(e, what),
    ...(long ? { long_context: long } : {}),
    effective_date: e.effective_date,
    source: e.source,
    ...(e.max_output_tokens ? { max_output_tokens: e.max_output_tokens } : {}),
  };
}
