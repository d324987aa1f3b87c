import type { GatewayConfig } from '../config/schema.ts';
import type { Runtime } from '../config/runtime.ts';
import { allowedBetas, allowedServerTools } from '../config/provider-features.ts';
import type { PolicyProvider } from '../policy/input-schema.ts';
import type { ProviderHealth } from '../routing/router.ts';

/** The router's health of each configured provider, when there is a router. */
export type HealthSource = (config: GatewayConfig) => Record<string, ProviderHealth>;

/**
 * Providers as the policy sees them: config facts, and the router's health over its recent
 * window (healthy unless every deployment seen is ejected or every key is resting; share of
 * failed attempts; median time to first byte). Without a router: healthy, no data.
 */
export function providerFacts(runtime: Runtime, health?: HealthSource): Record<string, PolicyProvider> {
  const seen = health?.(runtime.config);
  const out: Record<string, PolicyProvider> = {};
  for (const [name, p] of Object.entries(runtime.config.providers)) {
    const h = seen?.[name] ?? { healthy: true, error_rate: 0, p50_ms: null };
    out[name] = { ...h, data_residency: p.data_residency, type: p.type, allowed_betas: [...allowedBetas(p)], allowed_server_tools: [...allowedServerTools(p)] };
  }
  return out;
}
