import type { ProviderConfig } from '../../config/schema.ts';
import type { PreparedRequest, ProviderAdapter, UpstreamCall } from '../types.ts';
import { bedrockEvents } from './event-stream.ts';
import { signBedrockRequest } from './sigv4.ts';
import { fanOut } from '../fan-out.ts';

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
  async function prepare(call: UpstreamCall, model: string): Promise<PreparedRequest> {
    const op = call.op === 'embeddings' ? 'invoke' : call.stream ? 'converse-stream' : 'converse';
    // Model ids hold ':' (and ARNs '/'), so the id is one encoded path segment.
    const url = `${base}/model/${encodeURIComponent(model)}/${op}`;
    if (call.parts) {
      // Each part is signed on its own: a signature covers its body.
      const parts = await Promise.all(call.parts.map((body) => prepare({ ...call, body, parts: undefined }, model)));
      return { url, init: { ...parts[0]!.init, parts } };
    }
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
  }
  return {
    name,
    config,
    wire: 'bedrock',
    prepare,
    events: (body, maxEventBytes) => bedrockEvents(body, name, maxEventBytes),
    fetch: (url, init) => {
      const parts = (init as PreparedRequest['init']).parts;
      return parts ? fanOut(parts, init, transport) : transport(url, init);
    },
  };
}
