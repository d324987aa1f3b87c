import type { ProviderConfig } from '../../config/schema.ts';
import type { PreparedRequest, ProviderAdapter, UpstreamCall } from '../types.ts';
import { bedrockEvents } from './event-stream.ts';
import { signBedrockRequest } from './sigv4.ts';

type BedrockConfig = Extract<ProviderConfig, { type: 'bedrock' }>;

/**
 * Amazon Bedrock Runtime: Converse / ConverseStream for chat, InvokeModel for embeddings, every
 * request SigV4-signed (signing name `bedrock`). Message formats live in the translators.
 */
export function bedrockAdapter(name: string, config: BedrockConfig, transport: typeof fetch = fetch): ProviderAdapter {
  const base = (config.base_url ?? `https://bedrock-runtime.${config.region}.amazonaws.com`).replace(/\/+$/, '');
  const credentials = {
    accessKeyId: config.access_key_id,
    secretAccessKey: config.secret_access_key,
    sessionToken: config.session_token,
  };
  return {
    name,
    config,
    wire: 'bedrock',
    async prepare(call: UpstreamCall, model: string): Promise<PreparedRequest> {
      const op = call.op === 'embeddings' ? 'invoke' : call.stream ? 'converse-stream' : 'converse';
      // Model ids hold ':' (and ARNs '/'), so the id is one encoded path segment.
      const url = `${base}/model/${encodeURIComponent(model)}/${op}`;
      const body = JSON.stringify(call.body);
      const headers = await signBedrockRequest({
        url,
        body,
        credentials,
        region: config.region,
        headers: {
          ...config.headers,
          ...call.headers,
          'content-type': 'application/json',
          accept: call.stream ? 'application/vnd.amazon.eventstream' : 'application/json',
        },
      });
      return { url, init: { method: 'POST', headers, body } };
    },
    events: (body, maxEventBytes) => bedrockEvents(body, name, maxEventBytes),
    fetch: (url, init) => transport(url, init),
  };
}
