import type { GatewayConfig } from '../config/schema.ts';
import { createPriceBook } from './lookup.ts';

export interface UnpricedModel {
  /** The public model name. */
  name: string;
  provider: string;
  /** The upstream model id that has no price. */
  model: string;
}

/**
 * Routable catalog models with no price in the shipped list or the config's `prices:`. Requests
 * under a budget are refused on them, so `config check` names each one.
 */
export function unpricedModels(config: GatewayConfig): UnpricedModel[] {
  const book = createPriceBook(config.prices);
  const out: UnpricedModel[] = [];
  for (const [name, m] of Object.entries(config.models)) {
    const type = config.providers[m.provider]?.type;
    if (type && !book.lookup(type, m.model)) out.push({ name, provider: m.provider, model: m.model });
  }
  return out;
}

/** The one-line warning for an unpriced model. */
export const unpricedWarning = (u: UnpricedModel) =>
  `warning: model '${u.name}' (${u.provider}/${u.model}) has no price: requests under a budget are refused on it; add '${u.model}' under prices: (USD per 1M tokens)`;
