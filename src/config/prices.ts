import type { PriceOverrides } from '../pricing/overrides.ts';
import type { GatewayConfig } from './schema.ts';

export interface UpstreamPrices {
  /** Keyed by upstream model id, as the price book looks them up. */
  prices: PriceOverrides;
  /** Two `prices:` keys that price the same upstream id (an upstream id is kept over a public name, else the first listed). */
  clashes: { key: string; other: string; upstream: string }[];
}

/**
 * `prices:` keys may name the upstream model id (what the provider bills) or a public model
 * name or alias from `models:`, which prices that model's upstream id. A key that is some
 * model's upstream id is taken as that id, even when it is also a public name.
 */
export function upstreamPrices(config: Pick<GatewayConfig, 'models' | 'prices'>): UpstreamPrices {
  const upstreamIds = new Set(Object.values(config.models).map((m) => m.model));
  const byName = new Map<string, string>();
  for (const [name, m] of Object.entries(config.models)) for (const n of [name, ...m.aliases]) byName.set(n, m.model);
  const prices: PriceOverrides = {};
  const from = new Map<string, string>();
  const clashes: UpstreamPrices['clashes'] = [];
  // Upstream ids first, so a public name can never displace the price of the id itself.
  const keys = Object.keys(config.prices).sort((a, b) => Number(!upstreamIds.has(a)) - Number(!upstreamIds.has(b)));
  for (const key of keys) {
    const upstream = upstreamIds.has(key) ? key : (byName.get(key) ?? key);
    const other = from.get(upstream);
    if (other !== undefined) {
      clashes.push({ key, other, upstream });
      continue;
    }
    from.set(upstream, key);
    prices[upstream] = config.prices[key]!;
  }
  return { prices, clashes };
}
