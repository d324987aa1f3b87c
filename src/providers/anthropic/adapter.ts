import type { ProviderConfig } from '../../config/schema.ts';
import { GatewayError } from '../../lib/errors.ts';
import { sseEvents } from '../../lib/sse.ts';
import { apiKeyFor, type Credential } from '../credentials.ts';
import { fanOut } from '../fan-out.ts';
import type { PreparedRequest, ProviderAdapter, UpstreamCall } from '../types.ts';

type AnthropicConfig = Extract<ProviderConfig, { type: 'anthropic' }>;

/** Anthropic Messages API: `x-api-key` auth, a pinned `anthropic-version`, SSE with `event:` names. */
export function anthropicAdapter(name: string, config: AnthropicConfig, transport: typeof fetch = fetch): ProviderAdapter {
  const base = config.base_url.replace(/\/+$/, '');
  return {
    name,
    config,
    wire: 'anthropic',
    async prepare(call: UpstreamCall, _model: string, credential?: Credential): Promise<PreparedRequest> {
      if (!call.parts) return prepareOne(call, credential);
      // One Messages call per part (completions' choices), sent by fetch below.
      const parts = await Promise.all(call.parts.map((body) => prepareOne({ ...call, body, parts: undefined }, credential)));
      return { url: parts[0]!.url, init: { ...parts[0]!.init, parts } };
    },
    // sseEvents keeps the `event:` name, which the Anthropic pass-through forwards unchanged.
    events: sseEvents,
    fetch: (url, init) => {
      const parts = (init as PreparedRequest['init']).parts;
      return parts ? fanOut(parts, init, transport) : transport(url, init);
    },
  };

  async function prepareOne(call: UpstreamCall, credential?: Credential): Promise<PreparedRequest> {
    if (call.op !== 'chat') throw new GatewayError('invalid_request', `Provider '${name}' does not offer embeddings.`, { param: 'model' });
    // Auth and version come last so neither configured nor per-call headers can replace them.
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...config.headers,
      ...call.headers,
      'x-api-key': apiKeyFor(config, credential) ?? '',
      'anthropic-version': config.version,
    };
    // Betas configured for the provider and betas the client asked for both apply.
    const betas = [config.headers['anthropic-beta'], call.headers?.['anthropic-beta']].filter(Boolean);
    if (betas.length) headers['anthropic-beta'] = [...new Set(betas.join(',').split(',').map((b) => b.trim()))].join(',');
    if (call.stream) headers.accept = 'text/event-stream';
    return { url: `${base}/v1/messages`, init: { method: 'POST', headers, body: JSON.stringify(call.body) } };
  }
}
