import { GatewayError } from '../../lib/errors.ts';
// Placeholder until this translator lands.
export function openaiToGemini(provider: string): never {
  throw new GatewayError('invalid_request', `${provider}: OpenAI to Gemini is not implemented yet`);
}
