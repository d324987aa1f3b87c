import { Command } from 'commander';
import { startDatabaseThread } from '../store/database-thread.ts';
import { CliError } from './guard.ts';

/** `tollgate serve` (the default command). */
export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the gateway (default command)')
    .option('-c, --config <file>', 'config file (default: ./gateway.config.yaml, else the embedded defaults)')
    .option('-p, --port <n>', 'port to listen on (overrides server.port)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be 0-65535, got '${v}'`);
      return n;
    })
    .option('--host <host>', 'address to bind (overrides server.host)')
    .action(async (opts: { config?: string; port?: number; host?: string }) => {
      // Started before the gateway's modules are loaded (below, ~120 ms): the database thread
      // boots its own runtime and libSQL on the other core meanwhile.
      const databaseThread = startDatabaseThread();
      const [{ configSource }, { ConfigError, formatProblem }, { prepareStart, StartRefused }] = await Promise.all([import('./config-source.ts'), import('../config/load.ts'), import('../server/start-prepare.ts')]);
      const source = configSource(opts.config);
      try {
        // The config and the database's opening first: the database thread opens, sets up and
        // migrates the file while the rest of the gateway's modules load (~half of a start).
        const prepared = await prepareStart({ source, host: opts.host, databaseThread });
        const { startGateway } = await import('../server/start.ts');
        const gw = await startGateway({ source, port: opts.port, host: opts.host, databaseThread, prepared });
        await gw.closed;
      } catch (e) {
        if (isAddressInUse(e)) throw portInUse(e, opts, source.path);
        if (e instanceof StartRefused) console.error(`error: ${e.message}`);
        else if (e instanceof ConfigError) for (const p of e.problems) console.error(formatProblem(p));
        else throw e;
        process.exitCode = 1;
      } finally {
        databaseThread.close();
      }
    });
}

const isAddressInUse = (e: unknown): e is Error => e instanceof Error && 'code' in e && e.code === 'EADDRINUSE';

function portInUse(e: Error, opts: { config?: string; port?: number; host?: string }, file: string | undefined): CliError {
  const port = opts.port ?? /port (\d+)/.exec(e.message)?.[1] ?? '?';
  const setting = opts.port !== undefined ? '--port' : file ? `server.port in ${file}` : 'server.port';
  return new CliError(`port ${port}${opts.host ? ` on ${opts.host}` : ''} is already in use (from ${setting}); stop the process using it, or choose another port with --port N`);
}
