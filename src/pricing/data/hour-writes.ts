import type { CatalogEntry, VendorCatalog } from '../types.ts';

/**
 * Claude's 1-hour prompt-cache writes cost 2x the base input rate (5-minute writes 1.25x), on the
 * Claude API and on Bedrock alike, in every tier; a row that states its own `cache_write_1h` keeps it.
 */
export function withHourWrites(rows: Record<string, CatalogEntry>): VendorCatalog {
  return Object.fromEntries(
    Object.entries(rows).map(([id, e]) => {
      const long = e.long_context && { ...e.long_context, cache_write_1h: e.long_context.cache_write_1h ?? double(e.long_context.input) };
      return [id, { ...e, cache_write_1h: e.cache_write_1h ?? double(e.input), ...(long ? { long_context: long } : {}) }];
    }),
  );
}

/** 2 x a USD rate, rounded to the six decimals prices are kept in (doubling is exact in binary anyway). */
const double = (usd: number) => Math.round(usd * 2 * 1e6) / 1e6;
