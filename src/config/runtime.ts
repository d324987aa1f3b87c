import { createAdapter } from '../providers/registry.ts';
import type { ProviderAdapter } from '../providers/types.ts';
import { buildCatalog, type Catalog } from './catalog.ts';
import type { ClientKeyConfig, GatewayConfig } from './schema.ts';
import { createPriceBook, type PriceBook } from '../pricing/lookup.ts';
import { upstreamPrices } from './prices.ts';

/** Everything derived from one config revision, swapped atomically on reload. */
export interface Runtime {
  config: GatewayConfig;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  catalog: Catalog;
  /** Client key hashes (hex, no prefix) → key config. */
  keys: ReadonlyMap<string, ClientKeyConfig>;
  prices: PriceBook;
}

export function buildRuntime(config: GatewayConfig, transport: typeof fetch = fetch): Runtime {
  const adapters = new Map<string, ProviderAdapter>();
  for (const [name, p] of Object.entries(config.providers)) adapters.set(name, createAdapter(name, p, transport));
  const keys = new Map<string, ClientKeyConfig>();
  for (const k of config.keys) keys.set(k.hash.replace(/^sha256:/, ''), k);
  return { config, adapters, catalog: buildCatalog(config), keys, prices: createPriceBook(upstreamPrices(config).prices) };
}

/** Holds the current runtime; readers take a snapshot per request. */
export interface RuntimeHolder {
  current(): Runtime;
  swap(next: Runtime): void;
}

export function runtimeHolder(initial: Runtime): RuntimeHolder {
  let cur = initial;
  return {
    current: () => cur,
    swap: (next) => {
      cur = next;
    },
  };
}
