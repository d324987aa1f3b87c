/**
 * The database thread of a local libSQL file (a Worker started by local-client.ts; an entrypoint
 * of its own in the compiled binary). It owns the one connection: the native addon runs each
 * statement synchronously, so a slow or frozen disk stalls this thread and not the event loop
 * that answers health checks and streams. Requests run one at a time in the order they came.
 */
import { createClient, LibsqlError, type Client, type Transaction } from '@libsql/client';
import { openReadPath, type ReadPath } from './local-reads.ts';
import { ALWAYS_RUN, encodeError, encodeResult, fromWire, PROGRESS_ID, toWire, type Answer, type Envelope, type Request } from './local-wire.ts';
import { migrate } from './migrate.ts';

interface Port {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}

/** Serves requests from `port` until it is closed; nothing else reads the database file through it. */
export function serveDatabase(port: Port): void {
  let client: Client | undefined;
  /** The last `setup` succeeded: migrateSchema, queued behind it, runs only then. */
  let setUp = false;
  /** Plain SELECTs on a connection of their own with kept statements (local-reads.ts). */
  let reads: ReadPath | undefined;
  let cancelled: BigInt64Array | undefined;
  const txs = new Map<number, Transaction>();
  let nextTx = 1;
  let queue = Promise.resolve();

  const open = (): Client => {
    if (!client) throw new LibsqlError('The client is not open', 'CLIENT_CLOSED');
    return client;
  };
  const txOf = (id: number): Transaction => {
    const tx = txs.get(id);
    if (!tx) throw new LibsqlError('The transaction is closed', 'TRANSACTION_CLOSED');
    return tx;
  };
  const givenUp = (id: number) => !!cancelled && BigInt(id) <= Atomics.load(cancelled, 0);

  async function run(m: Envelope): Promise<unknown> {
    switch (m.op) {
      case 'open':
        cancelled = new BigInt64Array(m.cancelled);
        // One connection: per-connection settings (synchronous, busy_timeout) hold for every
        // statement, and transactions are serialised as SQLite expects of one writer.
        client = createClient({ url: m.url, authToken: m.authToken, syncUrl: m.syncUrl, concurrency: 1, timeout: 5000 });
        // After the client: it has made the file (and refused a bad URL) by now.
        if (!m.syncUrl) reads = openReadPath(m.url);
        return undefined;
      case 'execute':
        return (client && !client.closed && reads?.read(m.stmt)) || encodeResult(await open().execute(m.stmt));
      case 'batch':
        return (await open().batch(m.stmts as Parameters<Client['batch']>[0], m.mode)).map(encodeResult);
      case 'migrate':
        return (await open().migrate(m.stmts)).map(encodeResult);
      case 'setup': {
        const c = open();
        setUp = false;
        await c.execute('PRAGMA journal_mode=WAL');
        await c.execute(`PRAGMA busy_timeout=${Math.floor(m.busyTimeoutMs)}`);
        // In WAL mode NORMAL cannot corrupt the database; it only lets an OS crash or power loss
        // drop the last commits, not a process crash (kill -9). FULL fsyncs every commit.
        await c.execute('PRAGMA synchronous=NORMAL');
        setUp = true;
        return undefined;
      }
      case 'migrateSchema':
        // Queued behind the setup: a file it failed on (locked, not a database) is not written to.
        if (!setUp) throw new LibsqlError('The database was not set up; nothing was migrated', 'NOT_SET_UP');
        // Each migration applied is news to the main thread: its stall timer bounds one
        // migration, as when it sent them one by one, not all of them together. One it gave up
        // on (stuck behind a lock or a slow disk) stops before the next: only the one in flight lands.
        return migrate(open(), { applied: () => port.postMessage(toWire({ id: PROGRESS_ID, skipped: true } satisfies Answer)), givenUp: () => givenUp(m.id) });
      case 'executeMultiple':
        return open().executeMultiple(m.sql);
      case 'transaction': {
        const tx = await open().transaction(m.mode);
        txs.set(nextTx, tx);
        return nextTx++;
      }
      case 'tx.execute':
        return encodeResult(await txOf(m.tx).execute(m.stmt));
      case 'tx.batch':
        return (await txOf(m.tx).batch(m.stmts)).map(encodeResult);
      case 'tx.executeMultiple':
        return txOf(m.tx).executeMultiple(m.sql);
      case 'tx.commit':
        return txOf(m.tx).commit();
      case 'tx.rollback':
        return txs.get(m.tx)?.rollback();
      case 'tx.close':
        return txs.get(m.tx)?.close();
      case 'sync':
        return open().sync();
      case 'close':
        for (const tx of txs.values()) tx.close();
        txs.clear();
        reads?.close();
        reads = undefined;
        return client?.close();
    }
  }

  /** The transaction's state after a tx.* request; one that was committed, rolled back or closed is forgotten. */
  function txState(m: Request): boolean | undefined {
    if (!('tx' in m)) return undefined;
    if (m.op === 'tx.commit' || m.op === 'tx.rollback' || m.op === 'tx.close') txs.delete(m.tx);
    return txs.get(m.tx)?.closed ?? true;
  }

  async function handle(m: Envelope): Promise<void> {
    // Given up on before it started (the disk was stuck): the caller was told it failed, so it must not happen.
    if (!ALWAYS_RUN.has(m.op) && givenUp(m.id)) return port.postMessage({ id: m.id, skipped: true } satisfies Answer);
    let answer: Answer;
    try {
      const value = await run(m);
      // A transaction that began after its caller gave up: nobody will finish it, so it ends here.
      if (m.op === 'transaction' && givenUp(m.id)) {
        txs.get(value as number)?.close();
        txs.delete(value as number);
        answer = { id: m.id, skipped: true };
      } else answer = { id: m.id, ok: true, value, txClosed: txState(m) };
    } catch (e) {
      answer = { id: m.id, ok: false, error: encodeError(e), txClosed: txState(m) };
    }
    port.postMessage(toWire(answer));
  }

  port.onmessage = (ev) => {
    const m = fromWire<Envelope>(ev.data);
    queue = queue.then(() => handle(m));
  };
}

declare const self: Port;
if (!Bun.isMainThread) serveDatabase(self);
