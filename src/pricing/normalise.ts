/**
 * Model id normalisation for price lookup. Two levels, each a pure function of the id, applied
 * alike to requested ids and catalog keys:
 *
 * - `light`: lower-case; drop Gemini's `models/` prefix, Bedrock geographic inference-profile
 *   prefixes (`us.`, `eu.`, `apac.`, `jp.`, `au.`, `ca.`) and Bedrock `:N` version suffixes.
 *   `global.` stays: Bedrock prices global profiles apart. `us-gov.` stays: GovCloud prices
 *   differ and are not in the catalog, so such ids are better unknown than mispriced.
 * - `heavy`: `light`, then drop a Vertex `@version`, then repeatedly strip one trailing
 *   `-latest`, `-vN`, `-YYYY-MM-DD`, `-YYYYMMDD` or `-YYMM`/`-MMDD` group.
 */

const GEO_PREFIX = /^(?:us|eu|apac|jp|au|ca)\./;
const TRAILING = /-(?:latest|v\d+|\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/;

export function light(id: string): string {
  return id
    .trim()
    .toLowerCase()
    .replace(/^models\//, '')
    .replace(GEO_PREFIX, '')
    .replace(/:\d+$/, '');
}

export function heavy(id: string): string {
  let s = light(id).replace(/@[^@]*$/, '');
  for (let next = s.replace(TRAILING, ''); next !== s; next = s.replace(TRAILING, '')) s = next;
  return s;
}

/** `heavy`, and then also without Bedrock's `global.` prefix (the regional price, at most 10% more). */
export function heavyForms(id: string): string[] {
  const h = heavy(id);
  const bare = h.replace(/^global\./, '');
  return bare === h ? [h] : [h, bare];
}

// A family prefix must end where a new id segment starts, so `gpt-4` never prices `gpt-4o` and
// `gpt-5` never prices `gpt-5.4`.
const BOUNDARY = new Set(['-', '_']);

/** The longest key that is a family prefix of `form`, if any. */
export function longestFamily(form: string, keys: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const k of keys) {
    if (k.length >= form.length || (best && k.length <= best.length)) continue;
    if (form.startsWith(k) && BOUNDARY.has(form[k.length] ?? '')) best = k;
  }
  return best;
}
