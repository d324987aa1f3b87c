import type { Client } from '@libsql/client';
import { GatewayError } from '../lib/errors.ts';

/**
 * Failures that mean the database cannot serve now (full, read-only, gone, unreachable), as
 * opposed to a bug (a constraint, a syntax error), which stays an internal error.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY|LOCKED|NOMEM|PROTOCOL)/;
const NETWORK_UNAVAILABLE: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ConnectionRefused',
  'ConnectionClosed',
  'FailedToOpenSocket',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'SERVER_ERROR',
  'HRANA_WEBSOCKET_ERROR',
  'HRANA_CLOSED_ERROR',
  'STREAM_EXPIRED',
  'TimeoutError',
]);

/** A local database's own thread that does not answer in time, or has stopped (local-client.ts). */
const THREAD_UNAVAILABLE: ReadonlySet<string> = new Set(['DATABASE_STALLED', 'DATABASE_THREAD_STOPPED']);

export const STORAGE_UNAVAILABLE = 'storage_unavailable';
/** Seconds a caller is told to wait before retrying a request refused for storage. */
export const STORAGE_RETRY_AFTER_S = 5;

function codesOf(e: object): string[] {
  const out: string[] = [];
  for (const field of ['extendedCode', 'code', 'name'] as const) {
    const v: unknown = (e as Record<string, unknown>)[field];
    if (typeof v === 'string') out.push(v);
  }
  return out;
}

/** The real cause of a storage failure (`SQLITE_FULL`, `ECONNREFUSED`), searched through `cause`s; undefined when it is not one. */
export function storageCause(e: unknown): string | undefined {
  for (let c: unknown = e, depth = 0; c && typeof c === 'object' && depth < 8; c = (c as { cause?: unknown }).cause, depth++) {
    for (const code of codesOf(c)) if (SQLITE_UNAVAILABLE.test(code) || NETWORK_UNAVAILABLE.has(code) || THREAD_UNAVAILABLE.has(code)) return code;
  }
  return undefined;
}

/** The first line of the innermost error's message, for logs. */
export function rootMessage(e: unknown): string {
  let c: unknown = e;
  for (let depth = 0; depth < 8 && c instanceof Error && c.cause !== undefined; depth++) c = c.cause;
  const m = c instanceof Error ? c.message : String(c);
  return m.split('\n')[0]!.slice(0, 200);
}

/** A storage failure as the caller sees it: 503, Retry-After, in their schema; anything else unchanged. */
export function asStorageError(e: unknown): unknown {
  if (e instanceof GatewayError) return e;
  const cause = storageCause(e);
  if (!cause) return e;
  return new GatewayError('unavailable', `The gateway's database is unavailable (${cause}); try again shortly.`, {
    code: STORAGE_UNAVAILABLE,
    headers: { 'retry-after': String(STORAGE_RETRY_AFTER_S) },
    cause: e,
  });
}

function guard(result: unknown): unknown {
  if (result instanceof Promise) return result.then(wrapValue, (e: unknown) => Promise.reject(asStorageError(e)));
  return wrapValue(result);
}

/** Transactions handed out by the client fail the same way as the client. */
function wrapValue(v: unknown): unknown {
  return v && typeof v === 'object' && 'execute' in v && 'commit' in v ? wrapMethods(v) : v;
}

function wrapMethods<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop) {
      const v: unknown = Reflect.get(obj, prop, obj);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        let r: unknown;
        try {
          r = Reflect.apply(v, obj, args);
        } catch (e) {
          throw asStorageError(e);
        }
        return guard(r);
      };
    },
  });
}

/** The client whose statements fail with a storage_unavailable GatewayError when the database cannot serve. */
export function withStorageErrors(client: Client): Client {
  return wrapMethods(client);
}

/** What a storage cause means for the operator, in a few words and what to do. */
export function describeStorageCause(code: string): string {
  if (code.startsWith('SQLITE_READONLY')) return `it is read-only (${code}): check the file's and directory's permissions and that the disk is not mounted read-only; Tollgate must write its ledger`;
  if (code === 'SQLITE_FULL') return `the disk is full (${code}): free space or point database.url at another disk`;
  if (code.startsWith('SQLITE_IOERR')) return `the disk failed a read or write (${code}): it may be full, failing or read-only`;
  if (code.startsWith('SQLITE_CANTOPEN')) return `the file cannot be opened (${code}): check that its directory exists and is writable and the disk is not read-only`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return `it is locked by another process (${code})`;
  if (code.startsWith('SQLITE_')) return `it is not usable (${code})`;
  if (THREAD_UNAVAILABLE.has(code)) return `it does not answer (${code}): its disk may be frozen, failing or very slow`;
  return `cannot reach it (${code}); check database.url, database.auth_token and that the server is running`;
}
