import type { ProviderConfig } from '../../config/schema.ts';
import { GatewayError } from '../../lib/errors.ts';
import { apiKeyFor, type Credential } from '../credentials.ts';
import type { PreparedRequest, ProviderAdapter, UpstreamCall } from '../types.ts';
import { geminiEvents } from './events.ts';

type GeminiConfig = Extract<ProviderConfig, { type: 'gemini' }>;

/**
 * The Gemini API (generativelanguage.googleapis.com). The key goes in `x-goog-api-key`, never in
 * the URL: URLs end up in logs and traces.
 */
export function geminiAdapter(name: string, config: GeminiConfig, transport: typeof fetch = fetch): ProviderAdapter {
  const base = (config.base_url ?? 'https://generativelanguage.googleapis.com/v1beta').replace(/\/+$/, '');
  return {
    name,
    config,
    wire: 'gemini',
    async prepare(call: UpstreamCall, model: string, credential?: Credential): Promise<PreparedRequest> {
      const id = geminiModelId(model);
      const method = call.op === 'embeddings' ? 'batchEmbedContents' : call.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...config.headers,
        ...call.headers,
        'x-goog-api-key': apiKeyFor(config, credential) ?? '',
      };
      if (call.stream) headers.accept = 'text/event-stream';
      return { url: `${base}/models/${encodeURIComponent(id)}:${method}`, init: { method: 'POST', headers, body: JSON.stringify(call.body) } };
    },
    events: geminiEvents,
    fetch: (url, init) => transport(url, init),
  };
}

/**
 * The bare model id (`gemini-2.5-flash`), accepting a `models/` prefix. Anything that could
 * change the URL's path or method (`/`, `:`, `..`, `?`, `%`) is refused rather than encoded, so a
 * model name can never point the request at another endpoint.
 */
export function geminiModelId(model: string): string {
  const id = model.startsWith('models/') ? model.slice('models/'.length) : model;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id) || id.includes('..')) {
    throw new GatewayError('invalid_request', `'${model.slice(0, 80)}' is not a valid Gemini model id`, { param: 'model' });
  }
  return id;
}
