import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { DONE, emptyUsage, type ChatTranslator, type OpenAIChatTranslator, type StreamEvent, type Usage } from '../types.ts';
import { extractMessage, upstreamError } from '../upstream-error.ts';
import { readOpenAIUsage } from './usage.ts';
import { withoutEchoedKeys } from '../echoed-keys.ts';

/**
 * OpenAI client → OpenAI wire. Nearly a pass-through: the model is rewritten to the upstream id
 * (and back to the public name in responses), and usage is always requested on streams so the
 * ledger sees it; the extra usage chunk is dropped when the client did not ask for it. Keys
 * clients echo back on assistant turns (echoed-keys.ts) are not sent.
 */
export function openaiToOpenAI(provider: string): OpenAIChatTranslator {
  return openaiPassThrough<OpenAIChatRequest>(provider, 'chat', (body) => ({ messages: withoutEchoedKeys(body.messages) }));
}

interface Streamable {
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
}

/**
 * The pass-through to an OpenAI-wire endpoint whose answers carry `choices` and `usage` and whose
 * streams end with `[DONE]` (chat completions, legacy completions); `rewrite` gives the fields the
 * endpoint sends differently from what the client wrote.
 */
export function openaiPassThrough<Req extends Streamable>(provider: string, op: 'chat' | 'completions', rewrite: (body: Req) => Record<string, unknown>): ChatTranslator<Req> {
  let usage: Usage = emptyUsage();
  let publicModel = '';
  let clientWantsUsage = false;
  let sawDone = false;
  let sawFinish = false;

  return {
    request(body: Req, ctx) {
      publicModel = ctx.publicModel;
      const stream = body.stream === true;
      clientWantsUsage = body.stream_options?.include_usage === true;
      const out: Record<string, unknown> = { ...(body as object), model: ctx.model, ...rewrite(body) };
      if (stream) out.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
      return { op, stream, body: out };
    },
    response(json) {
      const r = asObject(json, provider);
      if (!Array.isArray(r.choices)) throw new GatewayError('upstream_invalid', `${provider} returned a ${op === 'chat' ? 'chat' : 'completions'} response without choices`);
      usage = readOpenAIUsage(r.usage);
      return { ...r, model: publicModel };
    },
    streamEvent(ev: StreamEvent): StreamEvent[] {
      if (ev.data === DONE) {
        sawDone = true;
        return [];
      }
      const chunk = asObject(ev.data, provider);
      if (chunk.error) {
        const { message, code } = extractMessage(JSON.stringify(chunk));
        throw new GatewayError('upstream_error', `${provider} stream error: ${message ?? 'unknown'}`, { code });
      }
      if (chunk.usage) usage = readOpenAIUsage(chunk.usage);
      const choices = chunk.choices as { finish_reason?: unknown }[] | undefined;
      // Azure opens with a chunk holding only prompt_filter_results (no choices, empty id, model
      // and object). OpenAI never sends a chunk with neither choices nor usage; clients that read
      // choices[0] or check `object` break on it, so it is not passed on.
      if (Array.isArray(choices) && choices.length === 0 && !chunk.usage) return [];
      if (choices?.some((c) => c.finish_reason)) sawFinish = true;
      // The usage-only chunk we asked for on the client's behalf.
      if (!clientWantsUsage && Array.isArray(choices) && choices.length === 0 && chunk.usage) return [];
      if (!clientWantsUsage && chunk.usage) chunk.usage = undefined;
      chunk.model = publicModel;
      return [{ data: chunk }];
    },
    streamEnd() {
      if (!sawDone && !sawFinish) throw new GatewayError('upstream_invalid', `${provider} closed the stream before it finished`);
      return [{ data: DONE }];
    },
    usage: () => usage,
    error(status, body) {
      const { message, code } = extractMessage(body);
      return upstreamError(provider, status, message, code);
    },
  };
}

export function asObject(v: unknown, provider: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw new GatewayError('upstream_invalid', `${provider} returned an unexpected response shape`);
  }
  return v as Record<string, unknown>;
}

/** A chat completion's first choice and its message, or upstream_invalid naming what is missing. */
export function firstChoice(json: unknown, provider: string): { r: Record<string, unknown>; choice: Record<string, unknown>; message: Record<string, unknown> } {
  const r = asObject(json, provider);
  const choice = Array.isArray(r.choices) ? (r.choices[0] as Record<string, unknown> | undefined) : undefined;
  if (!choice) throw new GatewayError('upstream_invalid', `${provider} returned a chat response without choices`);
  return { r, choice, message: asObject(choice.message, provider) };
}
