import { GatewayError } from '../../lib/errors.ts';
import type { ResponsesRequest } from '../../wire/responses.ts';
import { DONE, emptyUsage, type ChatTranslator, type StreamEvent, type Usage } from '../types.ts';
import { providerError, streamChunkError } from '../upstream-error.ts';
import { asObject, firstChoice } from './openai-openai.ts';
import { toChatRequest, type ChatRequestOptions } from './responses-openai-request.ts';
import { itemId, responseId, responseShell, responsesUsage } from './responses-object.ts';
import { readOpenAIUsage } from './usage.ts';

type Json = Record<string, unknown>;
export type ResponsesTranslator = ChatTranslator<ResponsesRequest>;

interface ToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/** finish_reason → the response's status and incomplete_details. */
function statusOf(finish: string | null | undefined): { status: string; incomplete_details: Json | null } {
  if (finish === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finish === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

const textOf = (c: unknown): string =>
  typeof c === 'string' ? c : Array.isArray(c) ? c.map((p: Json) => (p?.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('') : '';

const outputText = (text: string): Json => ({ type: 'output_text', annotations: [], logprobs: [], text });
const reasoningItem = (id: string, text: string, signature?: string): Json => ({ id, type: 'reasoning', summary: text ? [{ type: 'summary_text', text }] : [], ...(signature ? { encrypted_content: signature } : {}) });
const messageItem = (id: string, text: string, status: string): Json => ({ id, type: 'message', status, content: [outputText(text)], role: 'assistant' });
const callItem = (id: string, callId: string, name: string, args: string, status: string): Json => ({ id, type: 'function_call', status, arguments: args, call_id: callId, name });

/**
 * Responses client → OpenAI chat-completions wire. Works from chat response and chunk objects
 * alone, so registry.ts composes it (compose.ts viaOpenAI) with the OpenAI→Anthropic, Gemini and
 * Bedrock translators. The stream is rebuilt as OpenAI sends it: response.created and
 * response.in_progress, then per output item (reasoning summary, message, function call) its
 * added / part / delta / done events, and response.completed (or response.incomplete) once
 * usage is known, every event numbered by `sequence_number`.
 */
export function responsesToOpenAI(provider: string, opts: ChatRequestOptions = {}): ResponsesTranslator {
  let usage: Usage = emptyUsage();
  let shell: Json = {};
  const id = responseId();
  const createdAt = Math.floor(Date.now() / 1000);
  // Stream state.
  let seq = 0;
  let started = false;
  const output: Json[] = [];
  let open: { kind: 'reasoning' | 'message' | 'call'; index: number; id: string; text: string; key?: number; callId?: string; name?: string; signature?: string } | undefined;
  const calls = new Set<number>();
  let finish: string | null | undefined;
  let ended = false;

  const ev = (type: string, data: Json): StreamEvent => ({ event: type, data: { type, sequence_number: seq++, ...data } });
  const invalid = (what: string) => new GatewayError('upstream_invalid', `${provider} sent an invalid stream: ${what}`);

  function close(): StreamEvent[] {
    if (!open) return [];
    const o = open;
    open = undefined;
    const at = { item_id: o.id, output_index: o.index };
    let item: Json;
    const out: StreamEvent[] = [];
    if (o.kind === 'reasoning') {
      item = reasoningItem(o.id, o.text, o.signature);
      out.push(ev('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: o.text }));
      out.push(ev('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: { type: 'summary_text', text: o.text } }));
    } else if (o.kind === 'message') {
      item = messageItem(o.id, o.text, 'completed');
      out.push(ev('response.output_text.done', { ...at, content_index: 0, text: o.text, logprobs: [] }));
      out.push(ev('response.content_part.done', { ...at, content_index: 0, part: outputText(o.text) }));
    } else {
      item = callItem(o.id, o.callId!, o.name!, o.text, 'completed');
      out.push(ev('response.function_call_arguments.done', { ...at, arguments: o.text }));
    }
    output[o.index] = item;
    out.push(ev('response.output_item.done', { output_index: o.index, item }));
    return out;
  }

  function openItem(kind: 'reasoning' | 'message', prefix: 'rs' | 'msg'): StreamEvent[] {
    const out = close();
    open = { kind, index: output.length, id: itemId(prefix), text: '' };
    output.push({});
    const at = { item_id: open.id, output_index: open.index };
    if (kind === 'reasoning') {
      out.push(ev('response.output_item.added', { output_index: open.index, item: reasoningItem(open.id, '') }));
      out.push(ev('response.reasoning_summary_part.added', { ...at, summary_index: 0, part: { type: 'summary_text', text: '' } }));
    } else {
      out.push(ev('response.output_item.added', { output_index: open.index, item: { id: open.id, type: 'message', status: 'in_progress', content: [], role: 'assistant' } }));
      out.push(ev('response.content_part.added', { ...at, content_index: 0, part: outputText('') }));
    }
    return out;
  }

  function text(kind: 'reasoning' | 'message', t: string): StreamEvent[] {
    const out = open?.kind === kind ? [] : openItem(kind, kind === 'reasoning' ? 'rs' : 'msg');
    open!.text += t;
    const at = { item_id: open!.id, output_index: open!.index };
    if (kind === 'reasoning') out.push(ev('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta: t }));
    else out.push(ev('response.output_text.delta', { ...at, content_index: 0, delta: t, logprobs: [] }));
    return out;
  }

  function toolCall(tc: ToolCallDelta): StreamEvent[] {
    const out: StreamEvent[] = [];
    const key = tc.index ?? 0;
    if (!calls.has(key)) {
      out.push(...close());
      calls.add(key);
      open = { kind: 'call', index: output.length, id: itemId('fc'), text: '', key, callId: tc.id || itemId('fc').replace('fc_', 'call_'), name: tc.function?.name ?? '' };
      output.push({});
      out.push(ev('response.output_item.added', { output_index: open.index, item: callItem(open.id, open.callId!, open.name!, '', 'in_progress') }));
    } else if (open?.kind !== 'call' || open.key !== key) {
      throw invalid(`tool call ${key} resumed after another item started`);
    }
    const args = tc.function?.arguments;
    if (args) {
      open!.text += args;
      out.push(ev('response.function_call_arguments.delta', { item_id: open!.id, output_index: open!.index, delta: args }));
    }
    return out;
  }

  function final(items: Json[], finishReason: string | null | undefined): Json {
    return { ...shell, ...statusOf(finishReason), output: items, usage: responsesUsage(usage) };
  }

  function closing(): StreamEvent[] {
    if (ended || finish === undefined) return [];
    ended = true;
    const response = final(output, finish);
    return [...close(), ev(response.status === 'completed' ? 'response.completed' : 'response.incomplete', { response })];
  }

  return {
    request(body, ctx) {
      shell = responseShell(body, id, ctx.publicModel, createdAt);
      const { body: chat, dropped } = toChatRequest(body, provider, opts);
      return { op: 'chat', stream: body.stream === true, body: { ...chat, model: ctx.model }, ...(dropped.length ? { dropped } : {}) };
    },
    response(json) {
      const { r, choice, message } = firstChoice(json, provider);
      usage = readOpenAIUsage(r.usage);
      const items: Json[] = [];
      const reasoning = typeof message.reasoning_content === 'string' ? message.reasoning_content : '';
      if (reasoning) items.push(reasoningItem(itemId('rs'), reasoning, typeof message.reasoning_signature === 'string' ? message.reasoning_signature : undefined));
      const t = textOf(message.content) || (typeof message.refusal === 'string' ? message.refusal : '');
      if (t) items.push(messageItem(itemId('msg'), t, 'completed'));
      for (const tc of (message.tool_calls as Json[] | undefined) ?? []) {
        const fn = asObject(tc.function, provider);
        items.push(callItem(itemId('fc'), String(tc.id ?? itemId('fc')), String(fn.name ?? ''), typeof fn.arguments === 'string' ? fn.arguments : '{}', 'completed'));
      }
      return final(items, choice.finish_reason as string | null);
    },
    streamEvent(e) {
      if (e.data === DONE) return closing();
      const chunk = asObject(e.data, provider);
      const failure = streamChunkError(chunk, provider);
      if (failure) throw failure;
      const out: StreamEvent[] = [];
      if (!started) {
        started = true;
        out.push(ev('response.created', { response: shell }), ev('response.in_progress', { response: shell }));
      }
      if (chunk.usage && typeof chunk.usage === 'object') usage = readOpenAIUsage(chunk.usage);
      const choices = Array.isArray(chunk.choices) ? (chunk.choices as Json[]) : [];
      const choice = choices.find((c) => ((c.index as number | undefined) ?? 0) === 0);
      if (!choice || finish !== undefined) return out;
      const d = (choice.delta ?? {}) as Json;
      if (typeof d.reasoning_content === 'string' && d.reasoning_content) out.push(...text('reasoning', d.reasoning_content));
      if (typeof d.reasoning_signature === 'string' && open?.kind === 'reasoning') open.signature = d.reasoning_signature;
      const t = textOf(d.content) || (typeof d.refusal === 'string' ? d.refusal : '');
      if (t) out.push(...text('message', t));
      for (const tc of (d.tool_calls as ToolCallDelta[] | undefined) ?? []) out.push(...toolCall(tc));
      if (choice.finish_reason) {
        out.push(...close());
        finish = choice.finish_reason as string;
      }
      return out;
    },
    streamEnd() {
      if (finish === undefined) throw new GatewayError('upstream_invalid', `${provider} closed the stream before a finish_reason`);
      return closing();
    },
    usage: () => usage,
    error: providerError(provider),
  };
}
