import { heavy, heavyForms, light, longestFamily } from './normalise.ts';
import type { Price, Vendor } from './types.ts';
import type { ResolvedEntry } from './units.ts';

export interface Row {
  vendor: Vendor | 'override';
  key: string;
  entry: ResolvedEntry;
}

/** One vendor's rows (or the overrides), indexed by each normalisation level. */
export interface PriceTable {
  exact: Map<string, Row>;
  light: Map<string, Row>;
  heavy: Map<string, Row>;
}

export function buildTable(rows: Iterable<Row>): PriceTable {
  const t: PriceTable = { exact: new Map(), light: new Map(), heavy: new Map() };
  for (const row of rows) {
    const exact = row.key.trim().toLowerCase();
    if (!t.exact.has(exact)) t.exact.set(exact, row);
    const l = light(row.key);
    if (!t.light.has(l)) t.light.set(l, row);
    // Several dated rows can share a family form (gpt-4o-2024-05-13 and gpt-4o): the row whose
    // key already is the family form owns it; otherwise the first row listed does.
    const h = heavy(row.key);
    const held = t.heavy.get(h);
    if (!held || (h === exact && heavy(held.key) !== held.key.trim().toLowerCase())) t.heavy.set(h, row);
  }
  return t;
}

/**
 * Exact id, then `light`, then each `heavy` form, then the longest family prefix. Tables are
 * consulted in order at every stage, so an override beats the catalog at the same stage.
 */
export function findRow(tables: readonly PriceTable[], id: string): [Row, Price['match']] | undefined {
  const forms = heavyForms(id);
  const exact = id.trim().toLowerCase();
  for (const t of tables) {
    const row = t.exact.get(exact);
    if (row) return [row, 'exact'];
  }
  const l = light(id);
  for (const t of tables) {
    const row = t.light.get(l);
    if (row) return [row, 'normalised'];
  }
  for (const form of forms) {
    for (const t of tables) {
      const row = t.heavy.get(form);
      if (row) return [row, 'normalised'];
    }
  }
  for (const form of forms) {
    let best: Row | undefined;
    let bestLen = 0;
    for (const t of tables) {
      const k = longestFamily(form, t.heavy.keys());
      if (k && k.length > bestLen) {
        best = t.heavy.get(k);
        bestLen = k.length;
      }
    }
    if (best) return [best, 'family'];
  }
  return undefined;
}
