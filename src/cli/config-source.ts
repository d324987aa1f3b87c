import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import defaultConfigText from '../../gateway.config.yaml' with { type: 'text' };
import { resolveDatabaseUrl } from '../config/database-url.ts';
import { ConfigError, loadConfigFile, parseAhead, parseConfig, parseStoreConfig, type LoadedConfig, type StoreConfig } from '../config/load.ts';
import { embeddedConfigAhead } from '../config/embedded-ahead.ts' with { type: 'macro' };

const EMBEDDED = '<embedded gateway.config.yaml>';

export interface ConfigSource {
  /** The file to watch, or undefined for the embedded defaults. */
  path?: string;
  /** The whole config, as `serve` needs it; a relative `file:` database is made absolute. */
  load(): Promise<LoadedConfig>;
}

/** A source the database commands can also read just `database` and `keys` from. */
export interface CliConfigSource extends ConfigSource {
  /** Only `database` and `keys`, as the database commands need them (provider secrets may be unset). */
  loadStore(): Promise<StoreConfig>;
}

/** --config FILE, else $TOLLGATE_CONFIG, else ./gateway.config.yaml, else the embedded defaults. */
export function configSource(explicit?: string): CliConfigSource {
  const candidate = explicit ?? process.env.TOLLGATE_CONFIG ?? (existsSync('gateway.config.yaml') ? 'gateway.config.yaml' : undefined);
  // Relative paths in a file are relative to the file; in the embedded defaults, to the current directory.
  const path = candidate ? resolve(candidate) : undefined;
  const base = path ? dirname(path) : process.cwd();
  const withDatabase = <C extends StoreConfig>(c: C): C => ({ ...c, database: { ...c.database, url: resolveDatabaseUrl(c.database.url, base) } });
  const text = async () => {
    if (!path) return defaultConfigText;
    const file = Bun.file(path);
    if (!(await file.exists())) throw missingFile(path);
    return file.text();
  };
  return {
    path,
    load: async () => {
      // The embedded defaults come parsed by the bundler; parsed here only to report a problem.
      const loaded = path ? await loadConfigFile(path) : (parseAhead(embeddedConfigAhead()) ?? parseConfig(defaultConfigText, EMBEDDED));
      return { ...loaded, config: withDatabase(loaded.config) };
    },
    loadStore: async () => withDatabase(parseStoreConfig(await text(), path ?? EMBEDDED)),
  };
}

function missingFile(path: string): ConfigError {
  return new ConfigError([{ file: path, line: 1, col: 1, path: '', message: 'config file not found', hint: 'create it, or run without --config to use the embedded defaults' }]);
}
