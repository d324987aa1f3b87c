import { isAbsolute, resolve } from 'node:path';

/** The database URLs libSQL opens; anything else (postgres://, mysql://) is refused with this list. */
export const SUPPORTED_DATABASE_URLS = 'file:PATH, :memory:, http(s):// or ws(s):// for sqld, or libsql:// for Turso';

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const SUPPORTED = new Set(['file', 'http', 'https', 'ws', 'wss', 'libsql']);

/** Why a database URL cannot be used, or undefined when it can. */
export function databaseUrlProblem(url: string): string | undefined {
  if (url === ':memory:') return undefined;
  // A control character (NUL above all) cannot be in a path or host; libSQL aborts the process on a NUL.
  const control = /[\u0000-\u001f\u007f]/.exec(url);
  if (control) return `the database URL has a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}) at position ${control.index + 1}`;
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (!scheme) return `'${url}' is not a database URL`;
  if (!SUPPORTED.has(scheme)) return `unsupported database URL scheme '${scheme}:'`;
  if (scheme === 'file' && url.length === 'file:'.length) return `'${url}' names no file`;
  return undefined;
}

/**
 * A relative `file:` URL made absolute against `baseDir` (the config file's directory, as for
 * `policy.dir`), so every command run anywhere opens the same database. Others are unchanged.
 */
export function resolveDatabaseUrl(url: string, baseDir: string): string {
  if (!url.startsWith('file:') || url.startsWith('file://')) return url;
  const [path, query] = splitQuery(url.slice('file:'.length));
  if (path === '' || isAbsolute(path)) return url;
  return `file:${resolve(baseDir, path)}${query}`;
}

/** The local path of a `file:` URL, or undefined for remote and in-memory databases. */
export function databaseFile(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const rest = url.startsWith('file://') ? url.slice('file://'.length) : url.slice('file:'.length);
  return splitQuery(rest)[0];
}

function splitQuery(s: string): [string, string] {
  const i = s.indexOf('?');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i)];
}
