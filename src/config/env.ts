import { isScalar, visit, type Document } from 'yaml';

/** A `${VAR}` reference whose variable is unset, with where it stands. */
export interface MissingEnv {
  name: string;
  path: (string | number)[];
  offset: number;
}

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string scalar of the document, in place.
 * Secrets stay references in the file; values exist only in memory.
 */
export function resolveEnv(doc: Document, env: Record<string, string | undefined>): MissingEnv[] {
  const missing: MissingEnv[] = [];
  visit(doc, {
    Scalar(_key, node, path) {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const keyPath = pathOf(path);
      node.value = node.value.replace(REF, (_m, name: string, fallback: string | undefined) => {
        const v = env[name];
        if (v !== undefined && v !== '') return v;
        if (fallback !== undefined) return fallback;
        missing.push({ name, path: keyPath, offset: node.range?.[0] ?? 0 });
        return '';
      });
    },
  });
  return missing;
}

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
