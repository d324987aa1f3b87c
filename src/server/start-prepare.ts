/**
 * What a start does before anything else, in a module of its own so `serve` can run it before
 * the rest of the gateway's modules load: the config, the refusals that come before the database
 * is created (anonymous exposure, a policy.dir or bundle that is missing, TLS files), and the
 * database's opening, which its thread works through (open, settings, migrations) meanwhile.
 */
import type { ConfigSource } from '../cli/config-source.ts';
import { anonymousExposure } from '../config/exposure.ts';
import type { LoadedConfig } from '../config/load.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { openStore, type Store } from '../store/client.ts';
import type { DatabaseThread } from '../store/database-thread.ts';
import { policySource } from './policy-source.ts';
import { loadTls } from './tls.ts';

/** A refusal to start, printed as one line (`serve` exits 1). */
export class StartRefused extends Error {
  override name = 'StartRefused';
}

export interface PreparedStart {
  loaded: LoadedConfig;
  logger: Logger;
  host: string;
  policyFrom?: ReturnType<typeof policySource>;
  tls?: Awaited<ReturnType<typeof loadTls>>;
  /** The database, opening: await it (it may reject). */
  opening: Promise<Store>;
}

export async function prepareStart(opts: { source: ConfigSource; host?: string; databaseThread?: DatabaseThread; logger?: Logger }): Promise<PreparedStart> {
  const loaded = await opts.source.load();
  const { config, skipped } = loaded;
  const host = opts.host ?? config.server.host;
  const exposed = anonymousExposure(config.server, host);
  if (exposed) throw new StartRefused(`${opts.source.path ?? 'embedded defaults'}: ${exposed}`);
  const logger = opts.logger ?? createLogger({ level: config.logging.level, format: config.logging.format, bufferMs: 50 });
  for (const s of skipped) logger.info('provider off: environment not set', { provider: s.provider, missing: s.missing });
  // A policy.dir that does not exist is refused before the database is created or migrated.
  const policyFrom = config.policy.enabled ? policySource(config, opts.source.path) : undefined;
  const tls = config.server.tls ? await loadTls(config.server.tls, opts.source.path) : undefined;
  const opening = openStore(config.database, opts.databaseThread, { migrate: true });
  opening.catch(() => undefined); // the caller awaits it, perhaps after other work
  return { loaded, logger, host, policyFrom, tls, opening };
}
