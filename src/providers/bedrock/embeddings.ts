import { GatewayError } from '../../lib/errors.ts';
// Placeholder until this translator lands.
export function bedrockEmbeddings(provider: string): never {
  throw new GatewayError('invalid_request', `${provider}: Bedrock embeddings is not implemented yet`);
}
