import type { GatewayConfig, ModelConfig } from './schema.ts';

export interface CatalogEntry {
  /** The canonical public name (aliases resolve to it). */
  name: string;
  model: ModelConfig;
}

export interface Catalog {
  resolve(requested: string): CatalogEntry | undefined;
  list(): CatalogEntry[];
}

/** Public model names and aliases → catalog entries. */
export function buildCatalog(config: GatewayConfig): Catalog {
  const byName = new Map<string, CatalogEntry>();
  const entries: CatalogEntry[] = [];
  for (const [name, model] of Object.entries(config.models)) {
    const entry = { name, model };
    entries.push(entry);
    byName.set(name, entry);
    for (const alias of model.aliases) byName.set(alias, entry);
  }
  return { resolve: (requested) => byName.get(requested), list: () => entries };
}
