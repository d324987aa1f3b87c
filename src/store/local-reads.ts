/**
 * The database thread's read path: a second connection to the same file on which plain SELECT
 * statements run as statements prepared once and kept, instead of through @libsql/client's
 * execute, which prepares each statement again and asks the native side for its columns twice
 * (a point lookup: ~75-125 µs of CPU there, ~10 µs here). In WAL mode a read on this connection
 * sees every commit made before it started, and the thread runs requests one at a time in order,
 * so a read still follows the writes sent before it. While a transaction is open on the main
 * connection (a journal replay) a read sees the last commit instead of failing.
 *
 * Only the happy path is served here. Anything else (a statement that is not a SELECT, arguments
 * or results the client would convert differently or refuse, any error) returns undefined and the
 * caller runs the statement through the client, which gives its own answer or error.
 */
import Database from 'libsql';
import type { InArgs, InStatement, Value } from '@libsql/client';
import type { WireResult } from './local-wire.ts';

/** A statement kept for reuse, with the columns it last reported. */
interface Kept {
  stmt: { all(args: unknown): unknown[][]; columns(): { name: string; type?: string | null }[] };
  columns: string[];
  columnTypes: string[];
}

export interface ReadPath {
  /** The statement's result, or undefined when the client must run it. */
  read(stmt: InStatement): WireResult | undefined;
  close(): void;
}

/** Statements kept per connection; the cache is emptied when full (SQL texts are few). */
const MAX_KEPT = 256;
const SELECT = /^\s*select\b/i;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The file of a plain `file:` URL (no query, fragment or escapes), else undefined. */
export function plainFilePath(url: string): string | undefined {
  const m = /^file:(?:\/\/(?=\/))?((?!\/\/)[^?#%]+)$/.exec(url);
  return m?.[1];
}

/** Opens the read connection for `url`, or returns undefined (the client serves every read then). */
export function openReadPath(url: string, timeoutMs: number): ReadPath | undefined {
  const path = plainFilePath(url);
  if (!path) return undefined;
  let db: InstanceType<typeof Database>;
  try {
    db = new Database(path, { timeout: timeoutMs });
  } catch {
    return undefined;
  }
  const kept = new Map<string, Kept | null>();

  const prepare = (sql: string): Kept | null => {
    try {
      const stmt = db.prepare(sql);
      if (!stmt.reader) return null;
      stmt.safeIntegers(true);
      stmt.raw(true);
      return { stmt: stmt as unknown as Kept['stmt'], columns: [], columnTypes: [] };
    } catch {
      return null;
    }
  };

  return {
    read(stmt) {
      const sql = typeof stmt === 'string' ? stmt : stmt.sql;
      if (!SELECT.test(sql)) return undefined;
      let k = kept.get(sql);
      if (k === undefined) {
        if (kept.size >= MAX_KEPT) kept.clear();
        k = prepare(sql);
        kept.set(sql, k);
      }
      if (k === null) return undefined;
      const args = typeof stmt === 'string' ? [] : plainArgs(stmt.args);
      if (args === undefined) return undefined;
      let raw: unknown[][];
      try {
        raw = k.stmt.all(args);
      } catch {
        return undefined;
      }
      // Asked after every run: a schema change (here or by another connection) re-prepares the
      // statement inside SQLite, and `SELECT *` then has other columns than it had.
      let cols: { name: string; type?: string | null }[];
      try {
        cols = k.stmt.columns();
      } catch {
        return undefined;
      }
      if (cols.length !== k.columns.length || cols.some((c, i) => c.name !== k.columns[i] || (c.type ?? '') !== k.columnTypes[i])) {
        k.columns = cols.map((c) => c.name);
        k.columnTypes = cols.map((c) => c.type ?? '');
      }
      const rows: Value[][] = [];
      for (const r of raw) {
        const row: Value[] = [];
        for (const v of r) {
          const x = plainValue(v);
          if (x === undefined) return undefined;
          row.push(x);
        }
        rows.push(row);
      }
      return { columns: k.columns, columnTypes: k.columnTypes, rows, rowsAffected: 0, lastInsertRowid: undefined };
    },
    close() {
      kept.clear();
      try {
        db.close();
      } catch {
        // already closed
      }
    },
  };
}

/** Positional arguments the client would pass unchanged (strings, finite numbers, null); undefined for anything else. */
function plainArgs(args: InArgs | undefined): unknown[] | undefined {
  if (args === undefined) return [];
  if (!Array.isArray(args)) return undefined;
  for (const a of args) {
    if (a === null || typeof a === 'string') continue;
    if (typeof a === 'number' && Number.isFinite(a)) continue;
    return undefined;
  }
  return args;
}

/** A column value as the client returns it with intMode 'number'; undefined where it would not (an unsafe integer, a blob). */
function plainValue(v: unknown): Value | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return v < MIN_SAFE || v > MAX_SAFE ? undefined : Number(v);
  return undefined;
}
