import { sha256Hex } from '../lib/hash.ts';

/** JSON with object keys sorted at every depth and undefined members dropped. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x)).join(',')}]`;
  const o = v as Readonly<Record<string, unknown>>;
  const parts = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`);
  return `{${parts.join(',')}}`;
}

/** A short, stable id for a price list: the first 16 hex digits of sha-256 over its canonical JSON. */
export function priceListVersion(content: unknown): string {
  return `pl_${sha256Hex(canonicalJson(content)).slice(0, 16)}`;
}

/**
 * priceListVersion({ catalog, overrides }) with the catalog's canonical JSON given (computed by the
 * bundler): the same id, as canonical JSON puts `catalog` before `overrides`.
 */
export function priceListVersionOf(catalogJson: string, overrides: unknown): string {
  return `pl_${sha256Hex(`{"catalog":${catalogJson},"overrides":${canonicalJson(overrides)}}`).slice(0, 16)}`;
}
