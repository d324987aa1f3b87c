import { isScalar, visit, type Document } from 'yaml';

/** A `${VAR}` reference whose variable is unset, with where it stands. */
export interface MissingEnv {
  name: string;
  path: (string | number)[];
  offset: number;
}

export interface Ref {
  name: string;
  fallback?: string;
}

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const TOKEN = /__TGENV_(\d+)__/g;

/**
 * Swaps each `${VAR}` for a plain token before YAML parsing, because `{` and `}` are flow
 * indicators: `{ api_key: ${KEY} }` would otherwise be a syntax error. Lines are unchanged.
 */
export function protectRefs(text: string): { text: string; refs: Ref[] } {
  const refs: Ref[] = [];
  const out = text.replace(REF, (_m, name: string, fallback: string | undefined) => {
    refs.push({ name, fallback });
    return `__TGENV_${refs.length - 1}__`;
  });
  return { text: out, refs };
}

/**
 * Resolves the tokens left by protectRefs in every string scalar, in place. `${VAR:-default}`
 * supplies a default. Secrets stay references in the file; values exist only in memory.
 */
export function resolveEnv(doc: Document, env: Record<string, string | undefined>, refs: Ref[]): MissingEnv[] {
  const missing: MissingEnv[] = [];
  visit(doc, {
    Scalar(_key, node, path) {
      if (!isScalar(node) || typeof node.value !== 'string' || !hasToken(node.value)) return;
      const keyPath = pathOf(path);
      node.value = resolveTokens(node.value, env, refs, (name) => missing.push({ name, path: keyPath, offset: node.range?.[0] ?? 0 }));
    },
  });
  return missing;
}

/** `value` with protectRefs' tokens replaced; `unset` hears of each variable unset and without a default. */
export function resolveTokens(value: string, env: Record<string, string | undefined>, refs: Ref[], unset: (name: string) => void): string {
  return value.replace(TOKEN, (_m, i: string) => {
    const ref = refs[Number(i)]!;
    const v = env[ref.name];
    if (v !== undefined && v !== '') return v;
    if (ref.fallback !== undefined) return ref.fallback;
    unset(ref.name);
    return '';
  });
}

/** Whether a string holds a protectRefs token. */
export const hasToken = (value: string): boolean => value.includes('__TGENV_');

function pathOf(path: readonly unknown[]): (string | number)[] {
  const out: (string | number)[] = [];
  for (const p of path) {
    if (p && typeof p === 'object' && 'key' in p) {
      const k = (p as { key: unknown }).key;
      if (isScalar(k)) out.push(String(k.value));
    }
  }
  return out;
}
