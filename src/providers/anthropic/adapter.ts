import type { ProviderConfig } from '../../config/schema.ts';
import type { ProviderAdapter } from '../types.ts';
import { openaiAdapter } from '../openai/adapter.ts';
// Placeholder until this adapter lands.
export function anthropicAdapter(name: string, config: Extract<ProviderConfig, { type: 'anthropic' }>, transport: typeof fetch = fetch): ProviderAdapter {
  return { ...openaiAdapter(name, { type: 'openai-compatible', base_url: config.base_url ?? 'http://localhost', headers: {}, optional: false, data_residency: 'public', timeout_ms: 1000 }, transport), config, wire: 'anthropic' };
}
