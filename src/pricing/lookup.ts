import { vendorsFor } from './catalog.ts';
import { catalogFactsJson } from './catalog-facts-ahead.ts' with { type: 'macro' };
import { catalogRows, priceFacts } from './facts.ts';
import type { PriceOverrides } from './overrides.ts';
import { buildTable, findRow, type PriceTable, type Row } from './price-table.ts';
import type { Price, PriceScope, Vendor } from './types.ts';
import { toRates } from './units.ts';
import { priceListVersionOf } from './version.ts';

export interface PriceBook {
  /**
   * The price for a model served by a provider type (or a named vendor). Overrides apply to every
   * provider type. Undefined when nothing matches: an unknown model has no price, not a guess.
   */
  lookup(scope: PriceScope, model: string): Price | undefined;
  /** Identifies this price list (catalog + overrides); stored on each usage row. */
  readonly version: string;
}

/**
 * Builds the price book from the shipped catalog and configured overrides (USD per 1M tokens).
 * Throws a RangeError naming the model when a price is negative, not finite or finer than a
 * micro-dollar per 1M tokens.
 */
export function createPriceBook(overrides: PriceOverrides = {}): PriceBook {
  const vendorTables = new Map<Vendor, PriceTable>();
  for (const [vendor, rows] of catalogRows()) vendorTables.set(vendor, buildTable(rows));

  const overrideRows: Row[] = Object.entries(overrides).map(([key, o]) => ({
    vendor: 'override',
    key,
    entry: { micros_per_mtok: toRates(o, `override/${key}`), effective_date: o.effective_date, source: 'config override', ...(o.max_output_tokens ? { max_output_tokens: o.max_output_tokens } : {}) },
  }));
  const overrideTable = buildTable(overrideRows);
  // The catalog's part comes serialised by the bundler; digested when the first usage row needs it.
  let version: string | undefined;

  // Every request prices its model; the answer for a (scope, model) never changes for this book.
  const memo = new Map<string, Price | undefined>();
  const find = (scope: PriceScope, model: string): Price | undefined => {
    const k = `${scope}\u0000${model}`;
    if (memo.has(k)) return memo.get(k);
    // Frozen: the same object is handed to every caller.
    const p = uncached(scope, model);
    if (p) Object.freeze(p.micros_per_mtok);
    if (memo.size < 10_000) memo.set(k, p);
    return p;
  };
  function uncached(scope: PriceScope, model: string): Price | undefined {
    const tables = [overrideTable, ...vendorsFor(scope).flatMap((v) => vendorTables.get(v) ?? [])];
    const found = findRow(tables, model);
    if (!found) return undefined;
    const [row, match] = found;
    const { micros_per_mtok, long_context, effective_date, source, max_output_tokens } = row.entry;
    return {
      vendor: row.vendor,
      model: row.key,
      match,
      micros_per_mtok: { ...micros_per_mtok },
      ...(long_context ? { long_context: { ...long_context, micros_per_mtok: { ...long_context.micros_per_mtok } } } : {}),
      ...(effective_date ? { effective_date } : {}),
      source,
      ...(max_output_tokens ? { max_output_tokens } : {}),
    };
  }
  return {
    get version() {
      return (version ??= priceListVersionOf(catalogFactsJson(), priceFacts(overrideRows)));
    },
    lookup: find,
  };
}
