import { catalog } from './catalog.ts';
import type { Row } from './price-table.ts';
import type { Vendor } from './types.ts';
import { resolveEntry } from './units.ts';

/** The shipped catalog as rows, one per vendor, each entry resolved to micro-dollar rates. */
export function catalogRows(): [Vendor, Row[]][] {
  return (Object.keys(catalog) as Vendor[]).map((vendor) => [vendor, Object.entries(catalog[vendor]).map(([key, e]) => ({ vendor, key, entry: resolveEntry(e, `${vendor}/${key}`) }))]);
}

// What a version covers: ids, rates, tiers and effective dates. Source notes are left out, so
// rewording a note does not mint a new price list.
export function priceFacts(rows: readonly Row[]) {
  return Object.fromEntries(
    rows.map((r) => [r.key, { rates: r.entry.micros_per_mtok, long_context: r.entry.long_context, effective_date: r.entry.effective_date }]),
  );
}

/** The facts of the whole shipped catalog, by vendor: the `catalog` part of a price list's version. */
export function catalogFacts(): Record<string, unknown> {
  return Object.fromEntries(catalogRows().map(([vendor, rows]) => [vendor, priceFacts(rows)]));
}
