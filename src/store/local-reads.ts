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
/** What a read on another connection would answer differently: this connection's own state. */
const CONNECTION_STATE = /last_insert_rowid|changes\s*\(|total_changes|\btemp\s*\./i;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The file of a plain `file:` URL (no query, fragment or escapes), else undefined. */
export function plainFilePath(url: string): string | undefined {
  const m = /^file:(?:\/\/(?=\/))?((?!\/\/)[^?#%]+)$/.exec(url);
  // An in-memory database exists on one connection only: a second would be another, empty one.
  if (!m || m[1]!.startsWith(':memory:')) return undefined;
  return m[1];
}

/** Opens the read connection for `url`, or returns undefined (the client serves every read then). */
export function openReadPath(url: string): ReadPath | undefined {
  const path = plainFilePath(url);
  if (!path) return undefined;
  let db: InstanceType<typeof Database>;
  try {
    // No busy timeout: a locked-out read returns undefined at once and the client waits instead
    // (waiting here too would double the wait, or stall the thread behind a transaction).
    db = new Database(path, { timeout: 0 });
    db.exec('PRAGMA query_only=ON');
  } catch {
    return undefined;
  }
  const kept = new Map<string, Kept | null>();
  /** Reads are served once the file is in WAL mode (openStore sets it): a reader in rollback mode could lock out the writer. */
  let wal = false;
  const walNow = (): boolean => {
    try {
      const mode = db.prepare('PRAGMA journal_mode').raw(true).all() as unknown[][];
      return String(mode[0]?.[0]).toLowerCase() === 'wal';
    } catch {
      return false;
    }
  };

  /** The kept statement for `sql`; null when it is not a reader (kept so); undefined when it cannot be prepared now (tried again next time). */
  const prepare = (sql: string): Kept | null | undefined => {
    try {
      const stmt = db.prepare(sql);
      if (!stmt.reader) return null;
      stmt.safeIntegers(true);
      stmt.raw(true);
      return { stmt: stmt as unknown as Kept['stmt'], columns: [], columnTypes: [] };
    } catch {
      return undefined;
    }
  };

  return {
    read(stmt) {
      const sql = typeof stmt === 'string' ? stmt : stmt.sql;
      if (!SELECT.test(sql) || CONNECTION_STATE.test(sql)) return undefined;
      const args = typeof stmt === 'string' ? [] : plainArgs(stmt.args);
      if (args === undefined) return undefined;
      if (!wal && !(wal = walNow())) return undefined;
      let k = kept.get(sql);
      if (k === undefined) {
        k = prepare(sql);
        if (k === undefined) return undefined;
        if (kept.size >= MAX_KEPT) kept.clear();
        kept.set(sql, k);
      }
      if (k === null) return undefined;
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
