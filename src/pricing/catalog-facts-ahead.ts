/**
 * The shipped catalog's facts as canonical JSON, computed by the bundler (imported `with { type:
 * 'macro' }` by lookup.ts): the catalog is data in the binary, so its part of the price list's
 * version need not be serialised at run time (~10 ms the first time, 37 KB of JSON).
 */
import { catalogFacts } from './facts.ts';
import { canonicalJson } from './version.ts';

export function catalogFactsJson(): string {
  return canonicalJson(catalogFacts());
}
