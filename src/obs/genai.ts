import type { ProviderType } from '../config/schema.ts';

/**
 * OpenTelemetry GenAI semantic-convention values (gen_ai.provider.name, gen_ai.operation.name)
 * for Tollgate's provider types and endpoints. An OpenAI-compatible server (vLLM, Ollama, ...)
 * is not OpenAI, so it is named by its configured provider name, as the conventions allow.
 */
const PROVIDER_NAME: Partial<Record<ProviderType, string>> = {
  openai: 'openai',
  azure: 'azure.ai.openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  bedrock: 'aws.bedrock',
};

export function genAiProviderName(type: ProviderType | undefined, configuredName: string): string {
  return (type && PROVIDER_NAME[type]) ?? configuredName;
}

const OPERATION_NAME: Record<string, string> = {
  'chat.completions': 'chat',
  messages: 'chat',
  responses: 'chat',
  completions: 'text_completion',
  embeddings: 'embeddings',
};

export function genAiOperationName(endpoint: string): string {
  return OPERATION_NAME[endpoint] ?? endpoint;
}

/** Bucket boundaries the GenAI conventions advise for each histogram. */
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
export const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
export const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
export const TPOT_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
