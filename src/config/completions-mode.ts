import type { GatewayConfig, ProviderType } from './schema.ts';

/** Provider types whose upstreams can serve the legacy /v1/completions endpoint themselves. */
export const NATIVE_COMPLETIONS: readonly ProviderType[] = ['openai', 'azure', 'openai-compatible'];

export type CompletionsMode = 'native' | 'chat';

/**
 * How a legacy completions request reaches one target (provider, upstream model): the
 * `completions` of a catalog model on that target, else native on the OpenAI-wire types and
 * chat on the rest. Decided per target, so a fallback to another provider is translated as it needs.
 */
export function completionsModeOf(config: GatewayConfig, provider: string, upstreamModel: string): CompletionsMode {
  const type = config.providers[provider]?.type;
  if (!type || !NATIVE_COMPLETIONS.includes(type)) return 'chat';
  const set = Object.values(config.models).find((m) => m.provider === provider && m.model === upstreamModel && m.completions);
  return set?.completions ?? 'native';
}
