/**
 * A libSQL client for a local file whose statements run on a database thread (local-worker.ts),
 * not on the event loop: a disk that hangs (fsfreeze, a dying device, a stalled network mount)
 * stalls that thread only, so health checks, streams and requests that write nothing keep moving.
 *
 * Every call is bounded: when the thread has answered nothing for `timeoutMs` while calls wait,
 * they all fail with DatabaseStalledError (a storage failure: 503 to callers, the ledger journals),
 * and so does every new call at once, without waiting, until the thread answers again. Calls given
 * up on before the thread reached them are skipped there, so a caller told "failed" is not
 * overruled by a late write; only the statement the thread was inside when it stuck may still land
 * (the same doubt a network timeout leaves with a remote server).
 */
import { LibsqlError, type Client, type InArgs, type InStatement, type Replicated, type ResultSet, type Transaction, type TransactionMode } from '@libsql/client';
import { spawnDatabaseWorker, type DatabaseThread } from './database-thread.ts';
import { ALWAYS_RUN, decodeError, decodeResult, fromWire, PROGRESS_ID, toWire, type Answer, type Request, type Statement, type WireResult } from './local-wire.ts';

export const STALLED = 'DATABASE_STALLED';
export const THREAD_STOPPED = 'DATABASE_THREAD_STOPPED';

/** The database thread did not answer in time; its disk may be frozen, failing or very slow. */
export class DatabaseStalledError extends Error {
  readonly code: string;
  constructor(message: string, code = STALLED) {
    super(message);
    this.name = 'DatabaseStalledError';
    this.code = code;
  }
}

export interface LocalClientOptions {
  /** A `file:` URL. */
  url: string;
  authToken?: string;
  /** How long the database thread may answer nothing while calls wait. */
  timeoutMs: number;
}

interface Waiting {
  resolve(value: unknown): void;
  reject(e: unknown): void;
  tx?: (closed: boolean) => void;
}

/**
 * Opens the file on a database thread (the one `thread` started ahead, else a new one); rejects
 * as opening it would.
 */
export async function openLocalClient(opts: LocalClientOptions, thread?: DatabaseThread): Promise<Client> {
  return postOpen(opts, thread).opened;
}

/** A client on the thread with the open posted; `opened` settles with it, or closes it and rejects. */
function postOpen(opts: LocalClientOptions, thread: DatabaseThread | undefined): { client: ThreadClient; opened: Promise<Client> } {
  const client = new ThreadClient(thread?.take() ?? spawnDatabaseWorker(), opts.timeoutMs);
  const opened = client.call({ op: 'open', url: opts.url, authToken: opts.authToken, cancelled: client.cancelled.buffer as SharedArrayBuffer }).then(
    () => client,
    (e: unknown) => {
      client.close();
      throw e;
    },
  );
  return { client, opened };
}

/** A local file being opened by openLocalReady: each step's answer, as the thread gets to it. */
export interface LocalOpening {
  client: Promise<Client>;
  /** The connection's settings (WAL, busy timeout, synchronous=NORMAL). */
  setup: Promise<void>;
  /** The tags of Tollgate's migrations applied (when asked for). */
  migrated?: Promise<string[]>;
}

/**
 * Opens the file on a database thread as openLocalClient does, with its settings and (`migrate`)
 * Tollgate's schema migrations queued behind the open: all are posted at once, so the thread
 * works through them while the caller goes on (`serve` loads the gateway's modules meanwhile).
 * A step whose predecessor failed fails too; await them in order.
 */
export function openLocalReady(opts: LocalClientOptions & { busyTimeoutMs: number }, thread: DatabaseThread | undefined, migrate: boolean): LocalOpening {
  const { client, opened } = postOpen(opts, thread);
  const setup = client.call({ op: 'setup', busyTimeoutMs: opts.busyTimeoutMs }).then(() => undefined);
  const migrated = migrate ? client.call({ op: 'migrateSchema' }).then((tags) => tags as string[]) : undefined;
  // Awaited in order by the caller; a failed open fails the rest, which must not go unhandled meanwhile.
  setup.catch(() => undefined);
  migrated?.catch(() => undefined);
  return { client: opened, setup, migrated };
}

const statement = (stmtOrSql: InStatement, args?: InArgs): InStatement => (typeof stmtOrSql === 'string' ? { sql: stmtOrSql, args: args ?? [] } : stmtOrSql);

class ThreadClient implements Client {
  closed = false;
  readonly protocol = 'file';
  /** The highest request id given up on, shared with the thread so it skips them. */
  readonly cancelled = new BigInt64Array(new SharedArrayBuffer(8));
  #waiting = new Map<number, Waiting>();
  #nextId = 1;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stalled: DatabaseStalledError | undefined;
  #stopped = false;
  /** The id of the close request: its answer is the thread's last. */
  #closeId = 0;

  constructor(
    private readonly worker: Bun.Worker,
    private readonly timeoutMs: number,
  ) {
    worker.addEventListener('message', (ev) => this.#answered(fromWire<Answer>((ev as MessageEvent).data)));
    worker.onerror = () => this.#stop();
    worker.addEventListener('close', () => this.#stop());
    worker.unref();
  }

  /** Posts a request; settles with its answer, or with DatabaseStalledError when the thread is stuck. */
  call(req: Request, tx?: (closed: boolean) => void): Promise<unknown> {
    const always = ALWAYS_RUN.has(req.op);
    if (this.closed && !always) return Promise.reject(new LibsqlError('The client is closed', 'CLIENT_CLOSED'));
    if (this.#stopped) return Promise.reject(new DatabaseStalledError('the database thread has stopped', THREAD_STOPPED));
    if (this.#stalled && !always) return Promise.reject(this.#stalled);
    const id = this.#nextId++;
    try {
      this.worker.postMessage(toWire({ ...req, id }));
    } catch (e) {
      // A value structured clone cannot carry (a function, a symbol): the caller's mistake.
      return Promise.reject(new TypeError(`cannot pass this to the database: ${e instanceof Error ? e.message : String(e)}`));
    }
    // A rollback or close while stuck is queued for when the thread moves; its caller does not wait.
    if (this.#stalled) return Promise.reject(this.#stalled);
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, tx });
      if (this.#waiting.size === 1) this.worker.ref();
      this.#timer ??= setTimeout(() => this.#stall(), this.timeoutMs);
    });
  }

  #answered(a: Answer): void {
    this.#stalled = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // A progress note (PROGRESS_ID) answers nothing: it only shows the thread is moving.
    const w = a.id === PROGRESS_ID ? undefined : this.#waiting.get(a.id);
    if (w) {
      this.#waiting.delete(a.id);
      if (a.txClosed !== undefined) w.tx?.(a.txClosed);
      if ('ok' in a) {
        if (a.ok) w.resolve(a.value);
        else w.reject(decodeError(a.error));
      }
    }
    if (this.#waiting.size) this.#timer = setTimeout(() => this.#stall(), this.timeoutMs);
    else this.worker.unref();
    // The thread ends once it has closed the connection, never in the middle of a statement.
    if (this.closed && a.id !== PROGRESS_ID && a.id === this.#closeId) this.worker.terminate();
  }

  #giveUp(e: DatabaseStalledError): void {
    Atomics.store(this.cancelled, 0, BigInt(this.#nextId - 1));
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.worker.unref();
    for (const w of waiting) w.reject(e);
  }

  #stall(): void {
    this.#stalled = new DatabaseStalledError(`the database did not answer for ${this.timeoutMs} ms: its disk may be frozen, failing or very slow`);
    this.#giveUp(this.#stalled);
    // Not terminated, even when closing: ending a thread inside a native statement can abort the
    // whole process. It is unreferenced (the process may exit) and closes once it moves.
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#giveUp(new DatabaseStalledError('the database thread has stopped', THREAD_STOPPED));
  }

  async execute(stmtOrSql: InStatement, args?: InArgs): Promise<ResultSet> {
    return decodeResult((await this.call({ op: 'execute', stmt: statement(stmtOrSql, args) })) as WireResult);
  }

  async batch(stmts: Statement[], mode?: TransactionMode): Promise<ResultSet[]> {
    return ((await this.call({ op: 'batch', stmts, mode })) as WireResult[]).map(decodeResult);
  }

  async migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    return ((await this.call({ op: 'migrate', stmts })) as WireResult[]).map(decodeResult);
  }

  async executeMultiple(sql: string): Promise<void> {
    await this.call({ op: 'executeMultiple', sql });
  }

  async transaction(mode?: TransactionMode): Promise<Transaction> {
    return new ThreadTransaction(this, (await this.call({ op: 'transaction', mode })) as number);
  }

  async sync(): Promise<Replicated> {
    return (await this.call({ op: 'sync' })) as Replicated;
  }

  reconnect(): void {
    throw new LibsqlError('A local database on its own thread cannot reconnect; open it again', 'NOT_SUPPORTED');
  }

  /** Statements already posted run first; then the connection closes and the thread ends. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.#stopped) return void this.worker.terminate();
    // While stuck, the close is queued behind the statement that holds the thread (never a
    // terminate mid-statement, which can abort the process); the thread is unreferenced meanwhile.
    this.#closeId = this.#nextId;
    this.call({ op: 'close' }).catch(() => undefined);
    if (this.#stalled) this.worker.unref();
  }
}

class ThreadTransaction implements Transaction {
  #closed = false;
  /** Committed, rolled back or closed: the thread has forgotten it. */
  #settled = false;
  readonly #track = (closed: boolean) => (this.#closed = closed);

  constructor(
    private readonly client: ThreadClient,
    private readonly tx: number,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  async execute(stmtOrSql: InStatement, args?: InArgs): Promise<ResultSet> {
    return decodeResult((await this.client.call({ op: 'tx.execute', tx: this.tx, stmt: statement(stmtOrSql, args) }, this.#track)) as WireResult);
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    return ((await this.client.call({ op: 'tx.batch', tx: this.tx, stmts }, this.#track)) as WireResult[]).map(decodeResult);
  }

  async executeMultiple(sql: string): Promise<void> {
    await this.client.call({ op: 'tx.executeMultiple', tx: this.tx, sql }, this.#track);
  }

  async commit(): Promise<void> {
    await this.#end('tx.commit');
  }

  async rollback(): Promise<void> {
    if (this.#settled) return;
    await this.#end('tx.rollback');
  }

  close(): void {
    if (this.#settled) return;
    this.#end('tx.close').catch(() => undefined);
  }

  #end(op: 'tx.commit' | 'tx.rollback' | 'tx.close'): Promise<unknown> {
    this.#settled = true;
    this.#closed = true;
    return this.client.call({ op, tx: this.tx });
  }
}
