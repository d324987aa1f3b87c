/**
 * What the database thread and the main thread say to each other (local-worker.ts ↔
 * local-client.ts): requests, answers, and the result sets and errors they carry. Values cross by
 * structured clone, which keeps bigint, ArrayBuffer, Uint8Array, Date and null as they are; result
 * rows and libSQL errors are rebuilt here into the shapes @libsql/client hands out.
 *
 * A message made only of plain objects, arrays, strings, booleans, null and finite numbers (most
 * of them: the response cache's lookup on every request, its empty answer) crosses as a JSON
 * string instead: Bun posts and receives a string for ~70 % of the CPU of the same value by
 * structured clone (bench/README.md, "Memory and CPU per request"). Anything JSON would change
 * (bigint, binary, Date, undefined or -0 in an array, NaN) keeps the structured clone.
 */
import { LibsqlBatchError, LibsqlError, type InArgs, type InStatement, type ResultSet, type Row, type TransactionMode, type Value } from '@libsql/client';

export type Statement = InStatement | [string, InArgs?];

export type Request =
  /** `cancelled`: one BigInt64 slot, the highest request id the main thread has given up on. */
  | { op: 'open'; url: string; authToken?: string; syncUrl?: string; cancelled: SharedArrayBuffer }
  | { op: 'execute'; stmt: InStatement }
  | { op: 'batch'; stmts: Statement[]; mode?: TransactionMode }
  | { op: 'migrate'; stmts: InStatement[] }
  /** The connection's settings for a file the gateway owns: WAL, busy timeout, synchronous=NORMAL. */
  | { op: 'setup'; busyTimeoutMs: number }
  /** Tollgate's schema migrations (migrate.ts), run on the thread; answers the tags applied. */
  | { op: 'migrateSchema' }
  | { op: 'executeMultiple'; sql: string }
  | { op: 'transaction'; mode?: TransactionMode }
  | { op: 'tx.execute'; tx: number; stmt: InStatement }
  | { op: 'tx.batch'; tx: number; stmts: InStatement[] }
  | { op: 'tx.executeMultiple'; tx: number; sql: string }
  | { op: 'tx.commit' | 'tx.rollback' | 'tx.close'; tx: number }
  | { op: 'sync' | 'close' };

/** The id of a note the thread sends while it works on a long request (a migration applied): no request has it. */
export const PROGRESS_ID = 0;

/** A request as posted: its id orders it; ids only grow. */
export type Envelope = Request & { id: number };

/**
 * The answer to request `id`. `skipped`: the main thread had given up on it before the database
 * thread reached it, so it was not run. `txClosed`: the transaction's state after a tx.* request.
 */
export type Answer = { id: number; txClosed?: boolean } & ({ ok: true; value: unknown } | { ok: false; error: WireError } | { skipped: true });

/**
 * Requests that end a transaction or the client run even after the main thread gave up on them:
 * skipping one would leave the single connection held by a transaction nobody will finish.
 */
export const ALWAYS_RUN: ReadonlySet<Request['op']> = new Set(['tx.rollback', 'tx.close', 'close']);

/** `message` as posted: a JSON string when JSON carries it exactly, else the value itself. */
export function toWire(message: object): unknown {
  return jsonExact(message, 0) ? JSON.stringify(message) : message;
}

/** A message as received (from toWire on the other side). */
export function fromWire<T>(data: unknown): T {
  return (typeof data === 'string' ? JSON.parse(data) : data) as T;
}

/** Deeper than any request or answer; a deeper value keeps the structured clone. */
const MAX_WIRE_DEPTH = 8;

/**
 * Whether JSON.parse(JSON.stringify(v)) equals v for every reader: an undefined property is
 * dropped (reading it still gives undefined), but undefined in an array would become null.
 */
function jsonExact(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (depth >= MAX_WIRE_DEPTH) return false;
      if (Array.isArray(v)) {
        for (const x of v) if (x === undefined || !jsonExact(x, depth + 1)) return false;
        return true;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined && !jsonExact(x, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

export interface WireResult {
  columns: string[];
  columnTypes: string[];
  rows: Value[][];
  rowsAffected: number;
  lastInsertRowid: bigint | undefined;
}

export interface WireError {
  name: string;
  message: string;
  code?: string;
  extendedCode?: string;
  rawCode?: number;
  statementIndex?: number;
  cause?: WireError;
}

export function encodeResult(r: ResultSet): WireResult {
  return { columns: r.columns, columnTypes: r.columnTypes, rows: r.rows.map((row) => Array.prototype.slice.call(row) as Value[]), rowsAffected: r.rowsAffected, lastInsertRowid: r.lastInsertRowid };
}

/** A result set as @libsql/client's local client builds it: rows indexable by position and by column name. */
export function decodeResult(w: WireResult): ResultSet {
  const rows = w.rows.map((values) => rowOf(values, w.columns));
  return {
    columns: w.columns,
    columnTypes: w.columnTypes,
    rows,
    rowsAffected: w.rowsAffected,
    lastInsertRowid: w.lastInsertRowid,
    toJSON: () => ({ columns: w.columns, columnTypes: w.columnTypes, rows: w.rows.map((r) => r.map(valueToJson)), rowsAffected: w.rowsAffected, lastInsertRowid: w.lastInsertRowid === undefined ? null : String(w.lastInsertRowid) }),
  };
}

function rowOf(values: Value[], columns: string[]): Row {
  const row: Record<string | number, Value> = {};
  // Positions and `length` are not enumerable, column names are: as libSQL's own rows.
  Object.defineProperty(row, 'length', { value: values.length });
  values.forEach((value, i) => {
    Object.defineProperty(row, i, { value });
    const column = columns[i]!;
    if (!Object.hasOwn(row, column)) Object.defineProperty(row, column, { value, enumerable: true, configurable: true, writable: true });
  });
  return row as unknown as Row;
}

function valueToJson(v: Value): unknown {
  if (typeof v === 'bigint') return String(v);
  if (v instanceof ArrayBuffer) return Buffer.from(v).toString('base64');
  return v;
}

export function encodeError(e: unknown, depth = 0): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const f = e as Error & Partial<LibsqlBatchError> & { code?: unknown };
  const out: WireError = { name: e.name, message: e.message };
  if (typeof f.code === 'string') out.code = f.code;
  if (typeof f.extendedCode === 'string') out.extendedCode = f.extendedCode;
  if (typeof f.rawCode === 'number') out.rawCode = f.rawCode;
  if (typeof f.statementIndex === 'number') out.statementIndex = f.statementIndex;
  if (e.cause !== undefined && depth < 4) out.cause = encodeError(e.cause, depth + 1);
  return out;
}

/** The error as it was thrown on the database thread: same class for libSQL's and the built-in ones, same message and codes. */
export function decodeError(w: WireError): Error {
  const cause = w.cause ? decodeError(w.cause) : undefined;
  let e: Error;
  if (w.name === 'LibsqlBatchError') e = new LibsqlBatchError(w.message, w.statementIndex ?? 0, w.code ?? 'UNKNOWN', w.extendedCode, w.rawCode, cause);
  else if (w.name === 'LibsqlError') e = new LibsqlError(w.message, w.code ?? 'UNKNOWN', w.extendedCode, w.rawCode, cause);
  else if (w.name === 'TypeError') e = new TypeError(w.message, { cause });
  else if (w.name === 'RangeError') e = new RangeError(w.message, { cause });
  else {
    e = new Error(w.message, { cause });
    e.name = w.name;
    if (w.code !== undefined) Object.assign(e, { code: w.code });
  }
  // LibsqlError prefixes its code to the message; the message already carries it.
  e.message = w.message;
  return e;
}
