import { GatewayError } from '../../lib/errors.ts';
// Placeholder until this translator lands.
export function anthropicToAnthropic(provider: string): never {
  throw new GatewayError('invalid_request', `${provider}: Anthropic pass-through is not implemented yet`);
}
