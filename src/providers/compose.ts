import type { ChatTranslator, OpenAIChatTranslator, Usage } from './types.ts';
import type { OpenAIChatRequest } from '../wire/openai.ts';

type Json = Record<string, unknown>;

/**
 * Chains a client→OpenAI translator with an OpenAI→wire translator, for pairs that have no
 * direct translator (Anthropic client → Gemini or Bedrock). The outer translator must ask for
 * stream usage (`stream_options.include_usage`) so that the inner one reports it. A call the
 * outer one fans out into parts (one chat call per choice) has each part translated by the inner
 * one; their answers come back as `{parts: […]}` and are merged into one chat completion, choices
 * in the parts' order, usage summed.
 */
export function viaOpenAI<Req>(outer: ChatTranslator<Req>, inner: OpenAIChatTranslator): ChatTranslator<Req> {
  let usage: Usage | undefined;
  return {
    request(body, ctx) {
      const mid = outer.request(body, ctx);
      const call = inner.request(mid.body as OpenAIChatRequest, ctx);
      const dropped = [...new Set([...(mid.dropped ?? []), ...(call.dropped ?? [])])];
      const parts = mid.parts ? { parts: mid.parts.map((p) => inner.request(p as OpenAIChatRequest, ctx).body) } : {};
      return { ...call, ...parts, headers: { ...mid.headers, ...call.headers }, ...(dropped.length ? { dropped } : {}) };
    },
    response(json) {
      const parts = (json as { parts?: unknown } | null)?.parts;
      if (!Array.isArray(parts)) return outer.response(inner.response(json));
      const answers = parts.map((p) => {
        const chat = inner.response(p) as Json;
        usage = addUsage(usage, inner.usage());
        return chat;
      });
      return outer.response(mergeChoices(answers));
    },
    streamEvent: (ev) => inner.streamEvent(ev).flatMap((e) => outer.streamEvent(e)),
    streamEnd: () => [...inner.streamEnd().flatMap((e) => outer.streamEvent(e)), ...outer.streamEnd()],
    usage: () => usage ?? inner.usage(),
    error: (status, body) => inner.error(status, body),
  };
}

/** Chat completions of one choice each, as one completion: the first's envelope, every choice renumbered in order, usage summed. */
function mergeChoices(answers: Json[]): Json {
  const choices = answers.flatMap((a) => (Array.isArray(a.choices) ? (a.choices as Json[]) : [])).map((c, index) => ({ ...c, index }));
  const u = answers.map((a) => (a.usage ?? {}) as Record<string, unknown>);
  const sum = (k: string) => u.reduce((n, x) => n + (typeof x[k] === 'number' ? (x[k] as number) : 0), 0);
  return { ...answers[0], choices, usage: { prompt_tokens: sum('prompt_tokens'), completion_tokens: sum('completion_tokens'), total_tokens: sum('total_tokens') } };
}

function addUsage(a: Usage | undefined, b: Usage): Usage {
  if (!a) return { ...b };
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cached_input_tokens: a.cached_input_tokens + b.cached_input_tokens,
    cache_write_tokens: a.cache_write_tokens + b.cache_write_tokens,
    cache_write_1h_tokens: a.cache_write_1h_tokens + b.cache_write_1h_tokens,
    reasoning_tokens: a.reasoning_tokens + b.reasoning_tokens,
  };
}
