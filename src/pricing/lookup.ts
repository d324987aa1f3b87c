import { catalog, vendorsFor } from './catalog.ts';
import type { PriceOverrides } from './overrides.ts';
import { buildTable, findRow, type PriceTable, type Row } from './price-table.ts';
import type { Price, PriceScope, Vendor } from './types.ts';
import { resolveEntry, toRates } from './units.ts';
import { priceListVersion } from './version.ts';

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
  const versioned: Record<string, unknown> = {};
  for (const vendor of Object.keys(catalog) as Vendor[]) {
    const rows: Row[] = Object.entries(catalog[vendor]).map(([key, e]) => ({ vendor, key, entry: resolveEntry(e, `${vendor}/${key}`) }));
    vendorTables.set(vendor, buildTable(rows));
    versioned[vendor] = priceFacts(rows);
  }

  const overrideRows: Row[] = Object.entries(overrides).map(([key, o]) => ({
    vendor: 'override',
    key,
    entry: { micros_per_mtok: toRates(o, `override/${key}`), effective_date: o.effective_date, source: 'config override', ...(o.max_output_tokens ? { max_output_tokens: o.max_output_tokens } : {}) },
  }));
  const overrideTable = buildTable(overrideRows);
  // Digested when the first usage row needs it, not by every start (canonical JSON of the whole catalog).
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
      return (version ??= priceListVersion({ catalog: versioned, overrides: priceFacts(overrideRows) }));
    },
    lookup: find,
  };
}

// What a version covers: ids, rates, tiers and effective dates. Source notes are left out, so
// rewording a note does not mint a new price list.
function priceFacts(rows: readonly Row[]) {
  return Object.fromEntries(
    rows.map((r) => [r.key, { rates: r.entry.micros_per_mtok, long_context: r.entry.long_context, effective_date: r.entry.effective_date }]),
  );
}
