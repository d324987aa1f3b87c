import type { Runtime } from '../config/runtime.ts';
import { costMicros } from '../pricing/cost.ts';
import type { Usage } from '../providers/types.ts';

/** The cost of one served request, priced by the provider type and the upstream model. */
export function priceUsage(runtime: Runtime, provider: string | undefined, model: string | undefined, usage: Usage): number {
  if (!provider || !model) return 0;
  const type = runtime.config.providers[provider]?.type;
  if (!type) return 0;
  const price = runtime.prices.lookup(type, model);
  return price ? costMicros(usage, price) : 0;
}
