import { startOpenAIUpstream } from '../mocks/openai-upstream.ts';
import { startAnthropicUpstream } from '../mocks/anthropic-upstream.ts';
import { startGeminiUpstream } from '../mocks/gemini-upstream.ts';
import { startBedrockUpstream, MOCK_CREDENTIALS } from '../mocks/bedrock-upstream.ts';

/**
 * Every provider the contract suite runs against: how to start its mock upstream, how to
 * configure it, and what it can do. A capability set to false is a reasoned, explicit skip.
 */
export interface ProviderUnderTest {
  name: string;
  /** Starts the mock upstream; returns the provider's config block and a stop function. */
  start(): Promise<{ provider: Record<string, unknown>; stop(): void; requests: { path: string; headers: Record<string, string>; body: unknown }[] }>;
  /** Upstream model ids for each behaviour. */
  models: { chat: string; tool: string; json: string; error500: string; error400: string; cut: string; embed?: string };
  embeddings: boolean;
  /** Why embeddings are not offered, when they are not. */
  noEmbeddingsBecause?: string;
}

const KEY = 'sk-test-upstream-0000';

export const PROVIDERS: ProviderUnderTest[] = [
  {
    name: 'openai',
    async start() {
      const up = startOpenAIUpstream({ apiKey: KEY });
      return { provider: { type: 'openai', base_url: up.url + '/v1', api_key: KEY }, stop: up.stop, requests: up.requests };
    },
    models: { chat: 'gpt-chat', tool: 'gpt-tool', json: 'gpt-json', error500: 'gpt-error-500', error400: 'gpt-error-400', cut: 'gpt-cut', embed: 'text-embedding-3-small' },
    embeddings: true,
  },
  {
    name: 'azure',
    async start() {
      const up = startOpenAIUpstream({ apiKey: KEY, azure: true });
      return { provider: { type: 'azure', base_url: up.url, api_key: KEY, api_version: '2024-10-21' }, stop: up.stop, requests: up.requests };
    },
    models: { chat: 'dep-chat', tool: 'dep-tool', json: 'dep-json', error500: 'dep-error-500', error400: 'dep-error-400', cut: 'dep-cut', embed: 'dep-embed' },
    embeddings: true,
  },
  {
    name: 'compat',
    async start() {
      const up = startOpenAIUpstream({});
      return { provider: { type: 'openai-compatible', base_url: up.url + '/v1' }, stop: up.stop, requests: up.requests };
    },
    models: { chat: 'llama-chat', tool: 'llama-tool', json: 'llama-json', error500: 'llama-error-500', error400: 'llama-error-400', cut: 'llama-cut', embed: 'nomic-embed' },
    embeddings: true,
  },

  {
    name: 'bedrock',
    async start() {
      const up = startBedrockUpstream();
      return {
        provider: { type: 'bedrock', region: 'us-east-1', base_url: up.url, access_key_id: MOCK_CREDENTIALS.accessKeyId, secret_access_key: MOCK_CREDENTIALS.secretAccessKey },
        stop: up.stop,
        requests: up.requests,
      };
    },
    models: { chat: 'amazon.nova-chat-v1:0', tool: 'amazon.nova-tool-v1:0', json: 'amazon.nova-json-v1:0', error500: 'amazon.nova-error-500', error400: 'amazon.nova-error-400', cut: 'amazon.nova-cut-v1:0', embed: 'cohere.embed-english-v3' },
    embeddings: true,
  },

  {
    name: 'anthropic',
    async start() {
      const up = startAnthropicUpstream({ apiKey: KEY });
      return { provider: { type: 'anthropic', base_url: up.url, api_key: KEY }, stop: up.stop, requests: up.requests };
    },
    models: { chat: 'claude-chat', tool: 'claude-tool', json: 'claude-json', error500: 'claude-error-500', error400: 'claude-error-400', cut: 'claude-cut' },
    embeddings: false,
    noEmbeddingsBecause: 'Anthropic has no embeddings API',
  },

  {
    name: 'gemini',
    async start() {
      const up = startGeminiUpstream({ apiKey: KEY });
      return { provider: { type: 'gemini', base_url: up.url + '/v1beta', api_key: KEY }, stop: up.stop, requests: up.requests };
    },
    models: { chat: 'gemini-chat', tool: 'gemini-tool', json: 'gemini-json', error500: 'gemini-error-500', error400: 'gemini-error-400', cut: 'gemini-cut', embed: 'gemini-embedding-001' },
    embeddings: true,
  },
];
