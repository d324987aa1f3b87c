import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import defaultConfigText from '../../gateway.config.yaml' with { type: 'text' };
import { loadConfigFile, parseConfig, type LoadedConfig } from '../config/load.ts';

export interface ConfigSource {
  /** The file to watch, or undefined for the embedded defaults. */
  path?: string;
  load(): Promise<LoadedConfig>;
}

/** --config FILE, else $TOLLGATE_CONFIG, else ./gateway.config.yaml, else the embedded defaults. */
export function configSource(explicit?: string): ConfigSource {
  const candidate = explicit ?? process.env.TOLLGATE_CONFIG ?? (existsSync('gateway.config.yaml') ? 'gateway.config.yaml' : undefined);
  if (candidate) {
    const path = resolve(candidate);
    return { path, load: () => loadConfigFile(path) };
  }
  return { load: async () => parseConfig(defaultConfigText, '<embedded gateway.config.yaml>') };
}
