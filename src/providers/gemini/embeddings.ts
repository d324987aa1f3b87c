import { GatewayError } from '../../lib/errors.ts';
// Placeholder until this translator lands.
export function geminiEmbeddings(provider: string): never {
  throw new GatewayError('invalid_request', `${provider}: Gemini embeddings is not implemented yet`);
}
