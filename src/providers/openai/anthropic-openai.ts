import { GatewayError } from '../../lib/errors.ts';
import { messageId, toolCallId } from '../../lib/ids.ts';
import type { AnthropicMessagesRequest } from '../../wire/anthropic.ts';
import { DONE, emptyUsage, type AnthropicChatTranslator, type StreamEvent, type Usage } from '../types.ts';
import { providerError, streamChunkError } from '../upstream-error.ts';
import { toOpenAIRequest, type OpenAIRequestOptions } from './anthropic-openai-request.ts';
import { asObject, firstChoice } from './openai-openai.ts';
import { cacheCreation, readOpenAIUsage } from './usage.ts';

type Json = Record<string, unknown>;
interface Choice {
  index?: number;
  delta?: { content?: unknown; refusal?: unknown; tool_calls?: ToolCallDelta[] };
  finish_reason?: string | null;
  stop_reason?: unknown;
}
interface ToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/**
 * Anthropic Messages client → OpenAI wire. Works from OpenAI response and chunk objects alone, so
 * compose.ts also puts it in front of the Gemini and Bedrock translators. Streams are rebuilt in
 * the order the Anthropic SDK checks: message_start, per-block start/delta/stop (one block per
 * tool call, the text block closed first), message_delta, message_stop. The closing events wait
 * for `[DONE]` (or the end of the stream) because OpenAI sends usage after the finish_reason.
 * Reasoning text from OpenAI-compatible servers is not surfaced: the client did not enable thinking.
 */
export function anthropicToOpenAI(provider: string, opts: OpenAIRequestOptions = {}): AnthropicChatTranslator {
  let usage: Usage = emptyUsage();
  let publicModel = '';
  let stopSequences: string[] = [];
  let estimatedInput = 0;
  const id = messageId();
  // Stream state.
  let started = false;
  let nextIndex = 0;
  let open: { kind: 'text' | 'tool'; index: number } | undefined;
  const toolBlocks = new Map<number, number>();
  let finish: { stop_reason: string; stop_sequence: string | null } | undefined;
  let ended = false;

  const invalid = (what: string) => new GatewayError('upstream_invalid', `${provider} sent an invalid stream: ${what}`);
  const ev = (data: Json): StreamEvent => ({ event: String(data.type), data });

  function close(): StreamEvent[] {
    if (!open) return [];
    const out = [ev({ type: 'content_block_stop', index: open.index })];
    open = undefined;
    return out;
  }

  function text(t: string): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (open?.kind !== 'text') {
      out.push(...close());
      open = { kind: 'text', index: nextIndex++ };
      out.push(ev({ type: 'content_block_start', index: open.index, content_block: { type: 'text', text: '' } }));
    }
    out.push(ev({ type: 'content_block_delta', index: open.index, delta: { type: 'text_delta', text: t } }));
    return out;
  }

  function toolCall(tc: ToolCallDelta): StreamEvent[] {
    const out: StreamEvent[] = [];
    const key = tc.index ?? 0;
    let index = toolBlocks.get(key);
    if (index === undefined) {
      out.push(...close());
      index = nextIndex++;
      toolBlocks.set(key, index);
      open = { kind: 'tool', index };
      out.push(ev({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: tc.id || toolCallId(), name: tc.function?.name ?? '', input: {} } }));
    } else if (open?.index !== index) {
      // Anthropic blocks cannot be reopened once closed.
      throw invalid(`tool call ${key} resumed after another block started`);
    }
    const args = tc.function?.arguments;
    if (args) out.push(ev({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args } }));
    return out;
  }

  function closing(): StreamEvent[] {
    if (ended || !finish) return [];
    ended = true;
    return [...close(), ev({ type: 'message_delta', delta: finish, usage: anthropicUsage(usage) }), ev({ type: 'message_stop' })];
  }

  return {
    request(body: AnthropicMessagesRequest, ctx) {
      publicModel = ctx.publicModel;
      stopSequences = body.stop_sequences ?? [];
      estimatedInput = ctx.inputTokens ?? 0;
      const { body: out, dropped } = toOpenAIRequest(body, provider, opts);
      return { op: 'chat', stream: body.stream === true, body: { ...out, model: ctx.model }, ...(dropped.length ? { dropped } : {}) };
    },
    response(json) {
      const { r, choice, message } = firstChoice(json, provider);
      usage = readOpenAIUsage(r.usage);
      return {
        id,
        type: 'message',
        role: 'assistant',
        model: publicModel,
        content: contentBlocks(message, provider),
        ...stopOf(choice, stopSequences),
        usage: anthropicUsage(usage),
      };
    },
    streamEvent(e: StreamEvent): StreamEvent[] {
      if (e.data === DONE) return closing();
      const chunk = asObject(e.data, provider);
      const failure = streamChunkError(chunk, provider);
      if (failure) throw failure;
      const out: StreamEvent[] = [];
      if (!started) {
        started = true;
        const message = { id, type: 'message', role: 'assistant', model: publicModel, content: [], stop_reason: null, stop_sequence: null };
        // OpenAI reports usage only at the end: the gateway's estimate stands in until message_delta has the real count.
        out.push(ev({ type: 'message_start', message: { ...message, usage: { input_tokens: estimatedInput, output_tokens: 0 } } }));
      }
      if (chunk.usage && typeof chunk.usage === 'object') usage = readOpenAIUsage(chunk.usage);
      const choices = Array.isArray(chunk.choices) ? (chunk.choices as Choice[]) : [];
      const choice = choices.find((c) => (c.index ?? 0) === 0);
      // Nothing after the finish_reason belongs to the message (only usage and filter results follow).
      if (!choice || finish) return out;
      const d = choice.delta ?? {};
      const t = textOf(d.content);
      if (t) out.push(...text(t));
      if (typeof d.refusal === 'string' && d.refusal) out.push(...text(d.refusal));
      for (const tc of d.tool_calls ?? []) out.push(...toolCall(tc));
      if (choice.finish_reason) {
        out.push(...close());
        finish = stopOf(choice as Json, stopSequences);
      }
      return out;
    },
    streamEnd() {
      if (!finish) throw new GatewayError('upstream_invalid', `${provider} closed the stream before a finish_reason`);
      return closing();
    },
    usage: () => usage,
    error: providerError(provider),
  };
}

function contentBlocks(message: Json, provider: string): Json[] {
  const blocks: Json[] = [];
  const text = textOf(message.content);
  if (text) blocks.push({ type: 'text', text });
  if (typeof message.refusal === 'string' && message.refusal) blocks.push({ type: 'text', text: message.refusal });
  for (const tc of (message.tool_calls as Json[] | undefined) ?? []) {
    const fn = asObject(tc.function, provider);
    blocks.push({ type: 'tool_use', id: tc.id || toolCallId(), name: fn.name, input: parseInput(fn.arguments, provider) });
  }
  return blocks;
}

/** Content is a string, or (Mistral) an array of parts whose `text` parts are the answer; thinking parts are not surfaced. */
function textOf(c: unknown): string {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  return c.map((p: Json) => (p?.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');
}

function parseInput(args: unknown, provider: string): unknown {
  if (typeof args !== 'string' || args.trim() === '') return {};
  try {
    return JSON.parse(args);
  } catch {
    throw new GatewayError('upstream_invalid', `${provider} returned tool-call arguments that are not JSON`);
  }
}

/**
 * OpenAI finish_reason → Anthropic stop_reason. OpenAI says `stop` for a stop sequence too; vLLM
 * and similar servers name the matched string in `stop_reason`, which is used when present.
 */
function stopOf(choice: Json, stopSequences: string[]): { stop_reason: string; stop_sequence: string | null } {
  const matched = typeof choice.stop_reason === 'string' && stopSequences.includes(choice.stop_reason) ? choice.stop_reason : null;
  switch (choice.finish_reason) {
    case 'length':
      return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'tool_calls':
    case 'function_call':
      return { stop_reason: 'tool_use', stop_sequence: null };
    case 'content_filter':
      return { stop_reason: 'refusal', stop_sequence: null };
    default:
      return matched ? { stop_reason: 'stop_sequence', stop_sequence: matched } : { stop_reason: 'end_turn', stop_sequence: null };
  }
}

/** Anthropic counts cache reads and writes apart from `input_tokens`; OpenAI's prompt_tokens include both. */
function anthropicUsage(u: Usage): Json {
  const out: Json = { input_tokens: u.input_tokens - u.cached_input_tokens - u.cache_write_tokens, output_tokens: u.output_tokens };
  if (u.cached_input_tokens) out.cache_read_input_tokens = u.cached_input_tokens;
  if (u.cache_write_tokens) {
    out.cache_creation_input_tokens = u.cache_write_tokens;
    out.cache_creation = cacheCreation(u);
  }
  return out;
}
