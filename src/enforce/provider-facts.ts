import type { Runtime } from '../config/runtime.ts';
import type { PolicyProvider } from '../policy/input-schema.ts';

/**
 * Providers as the policy sees them. Health is static until the router tracks it (breakers
 * feed this later): healthy, no errors, no latency data.
 */
export function providerFacts(runtime: Runtime): Record<string, PolicyProvider> {
  const out: Record<string, PolicyProvider> = {};
  for (const [name, p] of Object.entries(runtime.config.providers)) {
    out[name] = { healthy: true, error_rate: 0, p50_ms: null, data_residency: p.data_residency, type: p.type };
  }
  return out;
}
