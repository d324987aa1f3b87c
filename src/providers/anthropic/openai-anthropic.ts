import { GatewayError } from '../../lib/errors.ts';
// Placeholder until this translator lands.
export function openaiToAnthropic(provider: string): never {
  throw new GatewayError('invalid_request', `${provider}: OpenAI to Anthropic is not implemented yet`);
}
