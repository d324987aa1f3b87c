import { GatewayError } from '../../lib/errors.ts';
// Placeholder until this translator lands.
export function anthropicToOpenAI(provider: string): never {
  throw new GatewayError('invalid_request', `${provider}: Anthropic Messages to OpenAI is not implemented yet`);
}
