import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { asObject } from '../openai/openai-openai.ts';
import { DONE, type OpenAIChatTranslator, type StreamEvent } from '../types.ts';
import { extractMessage, upstreamError } from '../upstream-error.ts';
import { streamError } from './anthropic-anthropic.ts';
import { toAnthropicRequest } from './openai-anthropic-request.ts';
import { emptyRawUsage, mergeAnthropicUsage, openaiUsageOf, toUsage } from './usage.ts';

type BlockState = { kind: 'text' | 'thinking' | 'other' } | { kind: 'tool' | 'json'; toolIndex: number; sent: boolean; startInput: unknown };

/**
 * OpenAI client → Anthropic wire. The request mapping lives in openai-anthropic-request.ts; this
 * file turns Anthropic messages and stream events back into chat.completion objects and chunks.
 * Thinking is exposed as `reasoning_content` (the field OpenAI-compatible reasoning servers use)
 * and never mixed into `content`; its signature as `reasoning_signature` (no OpenAI field: chat
 * clients ignore it; the Responses translator returns it as the reasoning item's
 * encrypted_content, and openai-anthropic-messages.ts takes it back). Server-tool blocks cannot be asked for by an OpenAI client, so
 * any that appear are not surfaced.
 */
export function openaiToAnthropic(provider: string): OpenAIChatTranslator {
  let raw = emptyRawUsage();
  let publicModel = '';
  let jsonTool: string | undefined;
  let includeUsage = false;
  // Stream state.
  let id = '';
  const created = Math.floor(Date.now() / 1000);
  let started = false;
  let sawStop = false;
  let finish: string | null = null;
  let toolCount = 0;
  const blocks = new Map<number, BlockState>();

  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): StreamEvent => ({
    data: { id, object: 'chat.completion.chunk', created, model: publicModel, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] },
  });
  const invalid = (what: string) => new GatewayError('upstream_invalid', `${provider} sent an invalid stream: ${what}`);

  function blockStart(index: number, cb: Record<string, unknown>): StreamEvent[] {
    if (cb.type === 'text' || cb.type === 'thinking') {
      blocks.set(index, { kind: cb.type });
      const text = cb.type === 'text' ? cb.text : cb.thinking;
      if (typeof text !== 'string' || !text) return [];
      return [chunk(cb.type === 'text' ? { content: text } : { reasoning_content: text })];
    }
    if (cb.type !== 'tool_use') {
      blocks.set(index, { kind: 'other' });
      return [];
    }
    if (cb.name === jsonTool) {
      blocks.set(index, { kind: 'json', toolIndex: -1, sent: false, startInput: cb.input });
      return [];
    }
    const toolIndex = toolCount++;
    blocks.set(index, { kind: 'tool', toolIndex, sent: false, startInput: cb.input });
    return [chunk({ tool_calls: [{ index: toolIndex, id: cb.id, type: 'function', function: { name: cb.name, arguments: '' } }] })];
  }

  /** Input fragments: tool-call arguments, or message content for the response_format tool. */
  function inputChunk(b: BlockState, json: string): StreamEvent[] {
    if (!json || (b.kind !== 'tool' && b.kind !== 'json')) return [];
    b.sent = true;
    return [chunk(b.kind === 'json' ? { content: json } : { tool_calls: [{ index: b.toolIndex, function: { arguments: json } }] })];
  }

  function blockDelta(index: number, delta: Record<string, unknown>): StreamEvent[] {
    const b = blocks.get(index);
    if (!b) throw invalid(`delta for block ${index}, which never started`);
    if (delta.type === 'text_delta' && b.kind === 'text' && typeof delta.text === 'string' && delta.text) return [chunk({ content: delta.text })];
    if (delta.type === 'thinking_delta' && b.kind === 'thinking' && typeof delta.thinking === 'string' && delta.thinking) return [chunk({ reasoning_content: delta.thinking })];
    if (delta.type === 'signature_delta' && b.kind === 'thinking' && typeof delta.signature === 'string' && delta.signature) return [chunk({ reasoning_signature: delta.signature })];
    if (delta.type === 'input_json_delta') return inputChunk(b, typeof delta.partial_json === 'string' ? delta.partial_json : '');
    return [];
  }

  function blockStop(index: number): StreamEvent[] {
    const b = blocks.get(index);
    if (!b || (b.kind !== 'tool' && b.kind !== 'json') || b.sent) return [];
    // A no-argument call streams only "" but OpenAI clients JSON.parse the arguments.
    const input = b.startInput && typeof b.startInput === 'object' && Object.keys(b.startInput).length ? JSON.stringify(b.startInput) : '{}';
    return inputChunk(b, input);
  }

  return {
    request(body: OpenAIChatRequest, ctx) {
      publicModel = ctx.publicModel;
      includeUsage = body.stream_options?.include_usage === true;
      const plan = toAnthropicRequest(body, ctx.model, provider);
      jsonTool = plan.jsonTool;
      return { op: 'chat', stream: body.stream === true, body: plan.body, ...(plan.dropped.length ? { dropped: plan.dropped } : {}) };
    },
    response(json) {
      const r = asObject(json, provider);
      if (r.type !== 'message' || !Array.isArray(r.content)) throw new GatewayError('upstream_invalid', `${provider} returned a response that is not a message`);
      raw = mergeAnthropicUsage(emptyRawUsage(), r.usage);
      return toChatCompletion(r, r.content as unknown[], publicModel, jsonTool, provider, raw);
    },
    streamEvent(ev: StreamEvent): StreamEvent[] {
      if (ev.data === DONE) return [];
      const d = asObject(ev.data, provider);
      switch (d.type) {
        case 'error':
          throw streamError(provider, d);
        case 'message_start': {
          // A second message_start after content means the upstream restarted; emitted chunks cannot be retracted.
          if (blocks.size) throw invalid('message_start after content had started');
          const m = asObject(d.message, provider);
          raw = mergeAnthropicUsage(emptyRawUsage(), m.usage);
          if (started) return [];
          started = true;
          id = typeof m.id === 'string' ? m.id : '';
          const out = [chunk({ role: 'assistant', content: '' })];
          // A resumed programmatic tool call arrives whole inside message_start, with its stop reason.
          const prefilled = Array.isArray(m.content) ? (m.content as unknown[]) : [];
          prefilled.forEach((cb, i) => out.push(...blockStart(i, asObject(cb, provider)), ...blockStop(i)));
          if (typeof m.stop_reason === 'string') finish = finishReason(m.stop_reason, toolCount > 0);
          return out;
        }
        case 'content_block_start':
          return blockStart(Number(d.index), asObject(d.content_block, provider));
        case 'content_block_delta':
          return blockDelta(Number(d.index), asObject(d.delta, provider));
        case 'content_block_stop':
          return blockStop(Number(d.index));
        case 'message_delta': {
          raw = mergeAnthropicUsage(raw, d.usage);
          const stop = (d.delta as { stop_reason?: unknown } | undefined)?.stop_reason;
          if (typeof stop === 'string') finish = finishReason(stop, toolCount > 0);
          return [];
        }
        case 'message_stop': {
          if (!started) throw invalid('message_stop before message_start');
          sawStop = true;
          const out = [chunk({}, finish ?? 'stop')];
          if (includeUsage) out.push({ data: { id, object: 'chat.completion.chunk', created, model: publicModel, choices: [], usage: openaiUsageOf(toUsage(raw)) } });
          return out;
        }
        default:
          return []; // ping, and event types added after this was written
      }
    },
    streamEnd() {
      if (!sawStop) throw new GatewayError('upstream_invalid', `${provider} closed the stream before message_stop`);
      return [{ data: DONE }];
    },
    usage: () => toUsage(raw),
    error(status, body) {
      const { message, code } = extractMessage(body);
      return upstreamError(provider, status, message, code);
    },
  };
}

function toChatCompletion(
  r: Record<string, unknown>,
  content: unknown[],
  publicModel: string,
  jsonTool: string | undefined,
  provider: string,
  raw: ReturnType<typeof emptyRawUsage>,
) {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const signatures: string[] = [];
  const toolCalls: unknown[] = [];
  let json: string | undefined;
  for (const item of content) {
    const b = asObject(item, provider);
    if (b.type === 'text' && typeof b.text === 'string') texts.push(b.text);
    else if (b.type === 'thinking' && typeof b.thinking === 'string') {
      reasoning.push(b.thinking);
      if (typeof b.signature === 'string') signatures.push(b.signature);
    }
    else if (b.type === 'tool_use' && b.name === jsonTool) json = JSON.stringify(b.input ?? {});
    else if (b.type === 'tool_use') toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
  }
  const message: Record<string, unknown> = {
    role: 'assistant',
    // The response_format answer is the whole content; any preamble the model wrote is not part of it.
    content: json ?? (texts.length ? texts.join('') : toolCalls.length ? null : ''),
    refusal: null,
  };
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (reasoning.length) message.reasoning_content = reasoning.join('');
  // One signature signs one block's text: only a single signed block can be given back whole.
  if (reasoning.length === 1 && signatures.length === 1) message.reasoning_signature = signatures[0];
  return {
    id: typeof r.id === 'string' ? r.id : '',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: publicModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(String(r.stop_reason ?? 'end_turn'), toolCalls.length > 0) }],
    usage: openaiUsageOf(toUsage(raw)),
  };
}

/** Anthropic stop_reason → OpenAI finish_reason. A call of only the response_format tool is a normal stop. */
function finishReason(stop: string, clientToolCalled: boolean): string {
  switch (stop) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return clientToolCalled ? 'tool_calls' : 'stop';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop'; // end_turn, stop_sequence, pause_turn
  }
}
