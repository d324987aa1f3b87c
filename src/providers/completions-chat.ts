import { GatewayError } from '../lib/errors.ts';
import { COMPLETIONS_DEFAULT_MAX_TOKENS, completionsRequest, promptList, type OpenAICompletionsRequest } from '../wire/completions.ts';
import { chatRequest, type OpenAIChatRequest } from '../wire/openai.ts';
import { textInputs } from './token-input.ts';
import { DONE, emptyUsage, type ChatTranslator, type StreamEvent } from './types.ts';

/** Calls one request may fan out into (prompts × n) where the chat API answers one choice a call. */
export const MAX_PARTS = 128;

export interface CompletionsChatOptions {
  /**
   * The chat API answers one choice a call (Anthropic, Bedrock): several prompts and n > 1 are
   * sent as one chat call per choice (UpstreamCall.parts), their answers merged in order.
   */
  fanOut?: boolean;
}

/** Completions parameters that change the answer and that no chat API can honour. */
const CHAT_CANNOT = ['echo', 'logprobs', 'suffix', 'best_of'] as const;

/**
 * Chat parameters that are not completions ones (`messages`, `tools`, `response_format`…): a
 * completions request carrying one is refused by name rather than sent to chat unchecked.
 */
const CHAT_ONLY = Object.keys(chatRequest.shape).filter((k) => !(k in completionsRequest.shape));

/**
 * Legacy completions client → OpenAI chat wire, for upstreams that only chat. The prompt is sent
 * as one user message (token ids read back as cl100k_base text, as for embeddings), max_tokens
 * as OpenAI's default 16 when unset; `echo`, `logprobs`, `suffix` and `best_of` are refused by
 * name, and so are chat-only parameters; other unknown fields go on, as on chat. Where the chat
 * API answers one choice a call (`fanOut`), several prompts and n > 1 become one call per choice
 * (not streamed). It is composed with an OpenAI → provider translator (compose.ts), which owns
 * usage and errors; this one only reshapes chat answers into `text_completion` ones.
 */
export function completionsToChat(provider: string, opts: CompletionsChatOptions = {}): ChatTranslator<OpenAICompletionsRequest> {
  let clientWantsUsage = false;
  return {
    request(body, ctx) {
      const { prompt, suffix, echo, logprobs, best_of, stream_options, ...rest } = body;
      const asked: Record<(typeof CHAT_CANNOT)[number], boolean> = { echo: echo === true, logprobs: logprobs != null, suffix: !!suffix, best_of: (best_of ?? 1) > 1 };
      const chatOnly = CHAT_ONLY.find((k) => (body as Record<string, unknown>)[k] !== undefined);
      if (chatOnly) throw new GatewayError('invalid_request', `Parameter ${chatOnly} is a chat completions parameter, not a completions one`, { param: chatOnly });
      const refused = CHAT_CANNOT.find((p) => asked[p]);
      if (refused) throw new GatewayError('invalid_request', `Parameter ${refused} is not supported for ${provider}: it has no legacy completions endpoint, and the chat API it is served through cannot honour ${refused}`, { param: refused });
      if (body.max_tokens === 0) throw new GatewayError('invalid_request', `Parameter max_tokens of 0 is not supported for ${provider}: it scores a prompt without generating, which its chat API cannot do`, { param: 'max_tokens' });
      const count = promptList(prompt).length;
      const n = body.n ?? 1;
      const stream = body.stream === true;
      if (!opts.fanOut && count > 1) throw new GatewayError('invalid_request', `${provider} serves completions through chat, one prompt a request; send the ${count} prompts as separate requests`, { param: 'prompt' });
      if (opts.fanOut && count * n > 1) {
        if (stream) throw new GatewayError('invalid_request', `${provider} serves completions through chat, one call per choice, and cannot stream ${count * n} choices as one stream; send stream: false, or one prompt with n of 1`, { param: 'stream' });
        if (count * n > MAX_PARTS) throw new GatewayError('invalid_request', `${provider} serves completions through chat, one call per choice: ${count} prompts × n ${n} is ${count * n} calls, over the ${MAX_PARTS} a request may make`, { param: count > 1 ? 'prompt' : 'n' });
      }
      const prompts = textInputs(prompt, provider, { does: 'is served through chat, which takes text', field: 'prompt' });
      clientWantsUsage = stream_options?.include_usage === true;
      const chatFor = (text: string, choices: number | null | undefined): OpenAIChatRequest => ({
        ...rest,
        n: choices,
        model: ctx.model,
        messages: [{ role: 'user', content: text }],
        max_tokens: body.max_tokens ?? COMPLETIONS_DEFAULT_MAX_TOKENS,
        // Asked always, so the inner translator reports stream usage (compose.ts).
        ...(stream ? { stream_options: { include_usage: true } } : {}),
      });
      if (!opts.fanOut) return { op: 'chat', stream, body: chatFor(prompts[0]!, body.n) };
      // One chat call per choice of each prompt, prompt-major: their answers' order is the choices' index order.
      const parts = prompts.flatMap((text) => Array.from({ length: n }, () => chatFor(text, undefined)));
      return { op: 'chat', stream, body: parts[0], ...(parts.length > 1 ? { parts } : {}) };
    },
    response(json) {
      const r = json as ChatCompletion;
      return { id: completionId(r.id), object: 'text_completion', created: r.created, model: r.model, choices: r.choices.map((c) => textChoice(c.index, c.message?.content ?? '', c.finish_reason)), usage: legacyUsage(r.usage) };
    },
    streamEvent(ev: StreamEvent): StreamEvent[] {
      if (ev.data === DONE) return [ev];
      const chunk = ev.data as ChatChunk;
      const base = { id: completionId(chunk.id), object: 'text_completion', created: chunk.created };
      const choices = (chunk.choices ?? []).filter((c) => c.delta?.content || c.finish_reason).map((c) => textChoice(c.index, c.delta?.content ?? '', c.finish_reason ?? null));
      const out: StreamEvent[] = [];
      if (choices.length) out.push({ data: { ...base, choices, model: chunk.model } });
      // The usage chunk, as OpenAI sends it on completions streams: no choices, usage set.
      if (chunk.usage && clientWantsUsage) out.push({ data: { ...base, model: chunk.model, usage: legacyUsage(chunk.usage), choices: [] } });
      return out;
    },
    streamEnd: () => [],
    usage: emptyUsage,
    error: (status, body) => new GatewayError('upstream_error', `${provider} failed with ${status}: ${body.slice(0, 200)}`),
  };
}

interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}
interface ChatCompletion {
  id?: string;
  created?: number;
  model?: string;
  choices: { index: number; message?: { content?: string | null }; finish_reason: string | null }[];
  usage?: ChatUsage;
}
interface ChatChunk {
  id?: string;
  created?: number;
  model?: string;
  choices?: { index: number; delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: ChatUsage | null;
}

function textChoice(index: number, text: string, finish: string | null) {
  return { text, index, logprobs: null, finish_reason: finish };
}

/** Completion ids read `cmpl-…` as OpenAI's do. */
function completionId(id: string | undefined): string {
  const raw = id ?? '';
  return raw.startsWith('cmpl-') ? raw : `cmpl-${raw.replace(/^chatcmpl-/, '')}`;
}

/** The legacy usage object has the three counts and nothing else. */
function legacyUsage(u: ChatUsage | undefined) {
  const prompt = u?.prompt_tokens ?? 0;
  const completion = u?.completion_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: u?.total_tokens ?? prompt + completion };
}
