import type { ProviderConfig } from '../config/schema.ts';
import { GatewayError } from '../lib/errors.ts';
import type { AnthropicChatTranslator, ChatTranslator, ClientSchema, EmbeddingsTranslator, OpenAIChatTranslator, ProviderAdapter, Wire } from './types.ts';
import { viaOpenAI } from './compose.ts';
import { openaiAdapter } from './openai/adapter.ts';
import { openaiToOpenAI } from './openai/openai-openai.ts';
import { openaiEmbeddings } from './openai/embeddings.ts';
import { anthropicToOpenAI } from './openai/anthropic-openai.ts';
import { responsesToOpenAI, type ResponsesTranslator } from './openai/responses-openai.ts';
import { responsesToResponses } from './openai/responses-responses.ts';
import { mockAdapter } from './mock/adapter.ts';
import { anthropicAdapter } from './anthropic/adapter.ts';
import { openaiToAnthropic } from './anthropic/openai-anthropic.ts';
import { anthropicToAnthropic } from './anthropic/anthropic-anthropic.ts';
import { geminiAdapter } from './gemini/adapter.ts';
import { openaiToGemini } from './gemini/openai-gemini.ts';
import { geminiEmbeddings } from './gemini/embeddings.ts';
import { bedrockAdapter } from './bedrock/adapter.ts';
import { openaiToBedrock } from './bedrock/openai-bedrock.ts';
import { bedrockEmbeddings } from './bedrock/embeddings.ts';
import { completionsToOpenAI } from './openai/completions-openai.ts';
import { completionsToChat } from './completions-chat.ts';
import type { CompletionsMode } from '../config/completions-mode.ts';
import type { OpenAICompletionsRequest } from '../wire/completions.ts';
import { withPromptCache } from './prompt-cache-auto.ts';

/** Builds the adapter for one configured provider. `transport` lets tests route fetches. */
export function createAdapter(name: string, config: ProviderConfig, transport: typeof fetch = fetch): ProviderAdapter {
  switch (config.type) {
    case 'openai':
    case 'openai-compatible':
    case 'azure':
      return openaiAdapter(name, config, transport);
    case 'anthropic':
      return anthropicAdapter(name, config, transport);
    case 'gemini':
      return geminiAdapter(name, config, transport);
    case 'bedrock':
      return bedrockAdapter(name, config, transport);
    case 'mock':
      return mockAdapter(name, config);
  }
}

const openaiClient: Record<Wire, (provider: string) => OpenAIChatTranslator> = {
  openai: openaiToOpenAI,
  anthropic: openaiToAnthropic,
  gemini: openaiToGemini,
  bedrock: openaiToBedrock,
};

const anthropicClient: Record<Wire, (provider: string) => AnthropicChatTranslator> = {
  anthropic: anthropicToAnthropic,
  openai: anthropicToOpenAI,
  gemini: (p) => viaOpenAI(anthropicToOpenAI(p), openaiToGemini(p)),
  // Bedrock maps cache markers onto cachePoint blocks, so they are kept on the way through.
  bedrock: (p) => viaOpenAI(anthropicToOpenAI(p, { cacheMarkers: true }), openaiToBedrock(p)),
};

/** A fresh translator for one request (translators keep per-request stream state). */
export function chatTranslator(client: 'openai', wire: Wire, provider: string): OpenAIChatTranslator;
export function chatTranslator(client: 'anthropic', wire: Wire, provider: string): AnthropicChatTranslator;
export function chatTranslator(client: ClientSchema, wire: Wire, provider: string): OpenAIChatTranslator | AnthropicChatTranslator {
  return client === 'openai' ? withPromptCache(openaiClient[wire](provider), wire) : withPromptCache(anthropicClient[wire](provider), wire);
}

/** Wires whose chat API answers one choice a call: completions' prompts and n fan out to one call each. */
const FANS_OUT = new Set<Wire>(['anthropic', 'bedrock']);

/**
 * A fresh legacy-completions translator: the upstream's own endpoint when the target's mode is
 * native (an OpenAI wire), else through chat composed with the wire's OpenAI chat translator.
 * The mode is the target's (`modeOf` its upstream model), known when the request is translated.
 */
export function completionsTranslator(wire: Wire, provider: string, modeOf: (model: string) => CompletionsMode): ChatTranslator<OpenAICompletionsRequest> {
  const make = (mode: CompletionsMode) => (mode === 'native' && wire === 'openai' ? completionsToOpenAI(provider) : viaOpenAI(completionsToChat(provider, { fanOut: FANS_OUT.has(wire) }), openaiClient[wire](provider)));
  let t: ChatTranslator<OpenAICompletionsRequest> | undefined;
  const made = () => (t ??= make('chat'));
  return withPromptCache({
    request(body, ctx) {
      t = make(modeOf(ctx.model));
      return t.request(body, ctx);
    },
    response: (json) => made().response(json),
    streamEvent: (ev) => made().streamEvent(ev),
    streamEnd: () => made().streamEnd(),
    usage: () => made().usage(),
    error: (status, body) => made().error(status, body),
  }, wire);
}

const embeddingsByWire: Partial<Record<Wire, (provider: string) => EmbeddingsTranslator>> = {
  openai: openaiEmbeddings,
  gemini: geminiEmbeddings,
  bedrock: bedrockEmbeddings,
};

export function embeddingsTranslator(wire: Wire, provider: string): EmbeddingsTranslator {
  const make = embeddingsByWire[wire];
  if (!make) throw new GatewayError('invalid_request', `Provider '${provider}' does not offer embeddings.`, { param: 'model' });
  return make(provider);
}

const responsesClient: Record<Wire, (provider: string) => ResponsesTranslator> = {
  openai: responsesToOpenAI,
  // Thinking signatures ride the chat hop, so reasoning items go back to Anthropic signed.
  anthropic: (p) => viaOpenAI(responsesToOpenAI(p, { signatures: true }), openaiToAnthropic(p)),
  gemini: (p) => viaOpenAI(responsesToOpenAI(p), openaiToGemini(p)),
  bedrock: (p) => viaOpenAI(responsesToOpenAI(p), openaiToBedrock(p)),
};

/**
 * A fresh Responses translator: OpenAI and Azure have the Responses API natively and get the
 * request as sent; every other provider is reached through chat completions.
 */
export function responsesTranslator(adapter: Pick<ProviderAdapter, 'name' | 'wire' | 'config'>): ResponsesTranslator {
  if (adapter.config.type === 'openai' || adapter.config.type === 'azure') return withPromptCache(responsesToResponses(adapter.name), adapter.wire);
  return withPromptCache(responsesClient[adapter.wire](adapter.name), adapter.wire);
}
