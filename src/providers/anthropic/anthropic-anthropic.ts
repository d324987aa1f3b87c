import { GatewayError } from '../../lib/errors.ts';
import type { AnthropicMessagesRequest } from '../../wire/anthropic.ts';
import { asObject } from '../openai/openai-openai.ts';
import type { AnthropicChatTranslator, StreamEvent } from '../types.ts';
import { extractMessage, upstreamError } from '../upstream-error.ts';
import { emptyRawUsage, mergeAnthropicUsage, toUsage } from './usage.ts';

/**
 * Anthropic client → Anthropic wire: a pass-through. The body is sent as the client wrote it
 * (cache_control, thinking blocks, server tools, beta fields) with only `model` replaced by the
 * upstream id; the client's `anthropic-beta` header goes along. Responses and stream events come
 * back unchanged except for `model`, and usage is read on the way. One exception: `system` turns
 * inside `messages` without the `mid-conversation-system` beta, which the API would refuse, are
 * moved into the top-level `system` (in order, after what was there).
 */
export function anthropicToAnthropic(provider: string): AnthropicChatTranslator {
  let raw = emptyRawUsage();
  let publicModel = '';
  let sawStop = false;

  return {
    request(body: AnthropicMessagesRequest, ctx) {
      publicModel = ctx.publicModel;
      const beta = ctx.clientHeaders.get('anthropic-beta');
      return {
        op: 'chat',
        stream: body.stream === true,
        body: { ...(beta?.includes(MID_CONVERSATION_SYSTEM) ? body : hoistSystemTurns(body)), model: ctx.model },
        ...(beta ? { headers: { 'anthropic-beta': beta } } : {}),
      };
    },
    response(json) {
      const r = asObject(json, provider);
      if (r.type !== 'message' || !Array.isArray(r.content)) {
        throw new GatewayError('upstream_invalid', `${provider} returned a response that is not a message`);
      }
      raw = mergeAnthropicUsage(emptyRawUsage(), r.usage);
      return { ...r, model: publicModel };
    },
    streamEvent(ev: StreamEvent): StreamEvent[] {
      const data = asObject(ev.data, provider);
      const type = data.type;
      if (type === 'error') throw streamError(provider, data);
      if (type === 'message_start') {
        const message = asObject(data.message, provider);
        // A repeated message_start restarts the message, so its usage replaces what came before.
        raw = mergeAnthropicUsage(emptyRawUsage(), message.usage);
        return [{ event: 'message_start', data: { ...data, message: { ...message, model: publicModel } } }];
      }
      if (type === 'message_delta') raw = mergeAnthropicUsage(raw, data.usage);
      if (type === 'message_stop') sawStop = true;
      return [{ event: ev.event ?? String(type), data }];
    },
    streamEnd() {
      if (!sawStop) throw new GatewayError('upstream_invalid', `${provider} closed the stream before message_stop`);
      return [];
    },
    usage: () => toUsage(raw),
    error(status, body) {
      const { message, code } = extractMessage(body);
      return upstreamError(provider, status, message, code);
    },
  };
}

/** A mid-stream `event: error` ({type:'error', error:{type, message}}) → GatewayError. */
export function streamError(provider: string, data: Record<string, unknown>): GatewayError {
  const { message, code } = extractMessage(JSON.stringify(data));
  return new GatewayError('upstream_error', `${provider} stream error: ${message ?? 'unknown'}`, { code });
}

const MID_CONVERSATION_SYSTEM = 'mid-conversation-system';

function hoistSystemTurns(body: AnthropicMessagesRequest): AnthropicMessagesRequest {
  if (!body.messages.some((m) => m.role === 'system')) return body;
  const blocks = (c: unknown) => (typeof c === 'string' ? (c ? [{ type: 'text' as const, text: c }] : []) : (c as NonNullable<Exclude<AnthropicMessagesRequest['system'], string>>));
  const system = [...blocks(body.system ?? ''), ...body.messages.filter((m) => m.role === 'system').flatMap((m) => blocks(m.content))];
  return { ...body, system, messages: body.messages.filter((m) => m.role !== 'system') };
}
