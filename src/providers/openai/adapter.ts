import type { ProviderConfig } from '../../config/schema.ts';
import { sseEvents } from '../../lib/sse.ts';
import { apiKeyFor, type Credential } from '../credentials.ts';
import type { PreparedRequest, ProviderAdapter, UpstreamCall } from '../types.ts';

type OpenAIish = Extract<ProviderConfig, { type: 'openai' | 'openai-compatible' | 'azure' }>;

const PATHS = { chat: '/chat/completions', completions: '/completions', embeddings: '/embeddings', responses: '/responses' } as const;

/** OpenAI, Azure OpenAI and any OpenAI-compatible server: same wire, different URL and auth. */
export function openaiAdapter(name: string, config: OpenAIish, transport: typeof fetch = fetch): ProviderAdapter {
  const base = config.base_url.replace(/\/+$/, '');
  return {
    name,
    config,
    wire: 'openai',
    async prepare(call: UpstreamCall, model: string, credential?: Credential): Promise<PreparedRequest> {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...config.headers, ...call.headers };
      const key = apiKeyFor(config, credential);
      let url: string;
      if (config.type === 'azure') {
        // Azure's Responses API is not under the deployment: the deployment is the body's model.
        const path = call.op === 'responses' ? '/openai/responses' : `/openai/deployments/${encodeURIComponent(model)}${PATHS[call.op]}`;
        url = `${base}${path}?api-version=${encodeURIComponent(config.api_version)}`;
        if (key) headers['api-key'] = key;
      } else {
        url = base + PATHS[call.op];
        if (key) headers.authorization = `Bearer ${key}`;
        if (config.type === 'openai' && config.organization) headers['openai-organization'] = config.organization;
      }
      if (call.stream) headers.accept = 'text/event-stream';
      return { url, init: { method: 'POST', headers, body: JSON.stringify(call.body) } };
    },
    events: sseEvents,
    fetch: (url, init) => transport(url, init),
  };
}
