import type { ProviderConfig } from '../../config/schema.ts';
import { sseEvents } from '../../lib/sse.ts';
import type { ProviderAdapter } from '../types.ts';
import { mockFetch } from './respond.ts';

/** The built-in mock provider: OpenAI wire, answered in-process with no API key. */
export function mockAdapter(name: string, config: Extract<ProviderConfig, { type: 'mock' }>): ProviderAdapter {
  return {
    name,
    config,
    wire: 'openai',
    async prepare(call, model) {
      const path = call.op === 'chat' ? '/chat/completions' : '/embeddings';
      return { url: `mock://${name}${path}`, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...(call.body as object), model }) } };
    },
    events: sseEvents,
    fetch: mockFetch,
  };
}
