/**
 * The thread a local database file is read and written on (local-worker.ts), started on its own
 * so `serve` can start it first: it boots its runtime and libSQL on the other core while the
 * gateway's modules load and the config is parsed, and openLocalClient adopts it once the config
 * names the file. Imports nothing, so starting it costs no module loading.
 */

declare const TOLLGATE_VERSION: string | undefined;

/**
 * The database thread's code: beside this file when run from source; in the executable (which
 * scripts/build.ts builds with TOLLGATE_VERSION defined) an entrypoint of its own, at its path
 * under src/ (the bundle's root) beside the main program.
 */
const workerUrl = () => (typeof TOLLGATE_VERSION === 'string' ? new URL('./store/local-worker.ts', Bun.pathToFileURL(Bun.main)) : new URL('./local-worker.ts', import.meta.url));

/** Starts a database thread that has opened nothing yet. */
export function spawnDatabaseWorker(): Bun.Worker {
  return new Worker(workerUrl()) as Bun.Worker;
}

/** A database thread started ahead of the file it will open; taken once, or closed unused. */
export interface DatabaseThread {
  /** The thread, if it is still running and nobody took it; it is then the taker's to close. */
  take(): Bun.Worker | undefined;
  /** Ends the thread unless it was taken (the database is not a local file, or start failed). */
  close(): void;
}

/** Starts a database thread now; it keeps the process alive only once taken. */
export function startDatabaseThread(): DatabaseThread {
  let worker: Bun.Worker | undefined = spawnDatabaseWorker();
  worker.unref();
  // A thread that died while waiting (its code failed to load) is not handed out: the taker starts one of its own.
  const gone = () => (worker = undefined);
  worker.addEventListener('close', gone);
  return {
    take() {
      const w = worker;
      worker = undefined;
      w?.removeEventListener('close', gone);
      return w;
    },
    close() {
      worker?.terminate();
      worker = undefined;
    },
  };
}
