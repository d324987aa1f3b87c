import type { ChatTranslator, OpenAIChatTranslator } from './types.ts';
import type { OpenAIChatRequest } from '../wire/openai.ts';

/**
 * Chains a client→OpenAI translator with an OpenAI→wire translator, for pairs that have no
 * direct translator (Anthropic client → Gemini or Bedrock). The outer translator must ask for
 * stream usage (`stream_options.include_usage`) so that the inner one reports it.
 */
export function viaOpenAI<Req>(outer: ChatTranslator<Req>, inner: OpenAIChatTranslator): ChatTranslator<Req> {
  return {
    request(body, ctx) {
      const mid = outer.request(body, ctx);
      const call = inner.request(mid.body as OpenAIChatRequest, ctx);
      const dropped = [...new Set([...(mid.dropped ?? []), ...(call.dropped ?? [])])];
      return { ...call, headers: { ...mid.headers, ...call.headers }, ...(dropped.length ? { dropped } : {}) };
    },
    response: (json) => outer.response(inner.response(json)),
    streamEvent: (ev) => inner.streamEvent(ev).flatMap((e) => outer.streamEvent(e)),
    streamEnd: () => [...inner.streamEnd().flatMap((e) => outer.streamEvent(e)), ...outer.streamEnd()],
    usage: () => inner.usage(),
    error: (status, body) => inner.error(status, body),
  };
}
