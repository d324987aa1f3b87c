import { GatewayError } from '../../lib/errors.ts';
// Placeholder until this translator lands.
export function openaiToBedrock(provider: string): never {
  throw new GatewayError('invalid_request', `${provider}: OpenAI to Bedrock is not implemented yet`);
}
