import type { Gateway } from '../../src/server/start.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import type { ProviderUnderTest } from './providers.ts';

export interface ContractEnv {
  gateway: Gateway;
  requests: { path: string; headers: Record<string, string>; body: unknown }[];
  /** Public model names in the gateway for this provider. */
  model: (behaviour: keyof ProviderUnderTest['models']) => string;
  stop(): Promise<void>;
}

/** Starts the provider's mock upstream and a gateway whose catalog exposes each behaviour. */
export async function setupContract(p: ProviderUnderTest): Promise<ContractEnv> {
  const up = await p.start();
  const models: Record<string, unknown> = {};
  for (const [behaviour, upstream] of Object.entries(p.models)) {
    if (!upstream) continue;
    models[`${p.name}-${behaviour}`] = { provider: p.name, model: upstream, kind: behaviour === 'embed' ? 'embeddings' : 'chat' };
  }
  const gateway = await startTestGateway({ providers: { [p.name]: up.provider }, models });
  return {
    gateway,
    requests: up.requests,
    model: (b) => `${p.name}-${b}`,
    async stop() {
      await gateway.stop();
      up.stop();
    },
  };
}
