import type { ProviderConfig } from '../config/schema.ts';

/** One API key chosen by the router for one attempt. */
export interface Credential {
  apiKey: string;
}

/** The API keys a provider is configured with, in order; empty for providers without keys. */
export function apiKeysOf(config: ProviderConfig): string[] {
  if (!('api_key' in config) && !('api_keys' in config)) return [];
  return config.api_keys ?? (config.api_key ? [config.api_key] : []);
}

/** The key for one call: the router's choice, else the first configured key. */
export function apiKeyFor(config: ProviderConfig, credential?: Credential): string | undefined {
  return credential?.apiKey ?? apiKeysOf(config)[0];
}
