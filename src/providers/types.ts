import type { GatewayError } from '../lib/errors.ts';
import type { ProviderConfig } from '../config/schema.ts';
import type { Credential } from './credentials.ts';
import type { OpenAIChatRequest, OpenAIEmbeddingsRequest } from '../wire/openai.ts';
import type { AnthropicMessagesRequest } from '../wire/anthropic.ts';
import type { PromptCachePlan } from './prompt-cache-plan.ts';

/**
 * The canonical types every translator speaks.
 *
 * Client schemas are what callers send (OpenAI chat/embeddings, Anthropic Messages). Wire
 * schemas are what upstreams speak. A translator exists per (client → wire) pair and is created
 * per request, so it may keep stream state in its closure.
 */
export type ClientSchema = 'openai' | 'anthropic';
export type Wire = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

/** Token usage as the ledger records it. `input_tokens` includes cached ones. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  /** Input tokens served from the provider's prompt cache (a subset of input_tokens). */
  cached_input_tokens: number;
  /** Input tokens written to the provider's prompt cache (a subset of input_tokens). */
  cache_write_tokens: number;
  /**
   * The part of cache_write_tokens written with a 1-hour TTL (Anthropic `ttl: '1h'`, Bedrock
   * `cachePoint.ttl: '1h'`), priced at the 1-hour write rate; the rest is priced as 5-minute writes.
   */
  cache_write_1h_tokens: number;
  /** Output tokens spent on reasoning (a subset of output_tokens). */
  reasoning_tokens: number;
}

export const emptyUsage = (): Usage => ({
  input_tokens: 0,
  output_tokens: 0,
  cached_input_tokens: 0,
  cache_write_tokens: 0,
  cache_write_1h_tokens: 0,
  reasoning_tokens: 0,
});

/** One decoded stream event. `data` is parsed JSON, or DONE for OpenAI's `[DONE]`. */
export interface StreamEvent {
  event?: string;
  data: unknown;
}
export const DONE = Symbol('DONE');

/** What a translator asks the adapter to send. */
export interface UpstreamCall {
  op: 'chat' | 'completions' | 'embeddings' | 'responses';
  stream: boolean;
  /** A JSON-serialisable body in the wire schema. */
  body: unknown;
  /**
   * Bodies the wire takes one at a time (Titan embeddings: one input per call): the adapter
   * sends each, in parallel, and answers with one response `{parts: [json, …]}` in their order,
   * or with the first part's failure. `body` is then the first part.
   */
  parts?: unknown[];
  /** Extra headers for this call (e.g. `anthropic-beta` passed through). */
  headers?: Record<string, string>;
  /**
   * Client parameters that are pure hints this wire has no place for, so they were not sent
   * (generic names such as `image_url.detail`); reported in `x-tollgate-dropped-params` and on the usage row.
   */
  dropped?: string[];
  /** Prompt-cache breakpoints Tollgate added for `prompt_cache: auto` (absent when it was not asked). */
  promptCache?: number;
}

export interface TranslateContext {
  /** Upstream model id (for Azure, the deployment). */
  model: string;
  /** The public model name the client asked for. */
  publicModel: string;
  /** Headers the client sent (lower-cased), for pass-through of e.g. `anthropic-beta`. */
  clientHeaders: Headers;
  /**
   * The gateway's estimate of the prompt's tokens, for streams that must state input usage
   * before the provider reports it (Anthropic's message_start).
   */
  inputTokens?: number;
  /** The decision's `prompt_cache`: `auto` asks for breakpoints on long system prompts and tool lists. */
  promptCache?: PromptCachePlan;
}

export interface ChatTranslator<Req> {
  /** Client body → upstream call. Throws GatewayError('invalid_request', …, {param}) for what the wire cannot express. */
  request(body: Req, ctx: TranslateContext): UpstreamCall;
  /** Upstream JSON → client JSON. Throws GatewayError('upstream_invalid') when the shape is wrong. */
  response(json: unknown): unknown;
  /** One upstream stream event → zero or more client events. */
  streamEvent(ev: StreamEvent): StreamEvent[];
  /**
   * The upstream stream closed. Returns the client's closing events, or throws
   * GatewayError('upstream_invalid') when the upstream never sent its terminal event.
   */
  streamEnd(): StreamEvent[];
  /** Usage seen so far (partial while streaming). */
  usage(): Usage;
  /** An upstream non-2xx response → a GatewayError carrying the provider's message. */
  error(status: number, body: string): GatewayError;
}

export interface EmbeddingsTranslator {
  request(body: OpenAIEmbeddingsRequest, ctx: TranslateContext): UpstreamCall;
  /** Some providers report usage only in headers (Bedrock Cohere), so they are passed too. */
  response(json: unknown, headers?: Headers): unknown;
  usage(): Usage;
  error(status: number, body: string): GatewayError;
}

export type OpenAIChatTranslator = ChatTranslator<OpenAIChatRequest>;
export type AnthropicChatTranslator = ChatTranslator<AnthropicMessagesRequest>;

/** The prepared HTTP request an adapter produces. */
export interface PreparedRequest {
  url: string;
  /** `parts`: one prepared request per UpstreamCall part, which the adapter's fetch sends. */
  init: RequestInit & { headers: Record<string, string>; parts?: PreparedRequest[] };
}

/**
 * A provider adapter knows where and how to send (URL, auth, signing, stream framing) and
 * nothing about message formats.
 */
export interface ProviderAdapter {
  readonly name: string;
  readonly config: ProviderConfig;
  readonly wire: Wire;
  /** `credential` is the key the router picked (several keys rotate); else the configured one. */
  prepare(call: UpstreamCall, model: string, credential?: Credential): Promise<PreparedRequest>;
  /**
   * Decodes a streaming body into events (SSE, or AWS event stream for Bedrock). An event (or
   * unterminated line) longer than `maxEventBytes` fails the stream with `upstream_invalid`.
   */
  events(body: ReadableStream<Uint8Array>, maxEventBytes?: number): AsyncIterable<StreamEvent>;
  /** The transport; the mock provider answers in-process. */
  fetch(url: string, init: RequestInit): Promise<Response>;
}

export interface Translators {
  chat(client: 'openai', wire: Wire): OpenAIChatTranslator;
  chat(client: 'anthropic', wire: Wire): AnthropicChatTranslator;
  embeddings(wire: Wire): EmbeddingsTranslator | undefined;
}
