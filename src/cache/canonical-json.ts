/**
 * JSON with object keys in code-point order and no whitespace: the same value gives the same
 * text in every process (key order and formatting of the client's JSON do not matter). Undefined
 * members are left out as JSON.stringify does; numbers print as JSON.stringify prints them
 * (1.0 and 1 are the same number once parsed, so they are the same here too).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}
