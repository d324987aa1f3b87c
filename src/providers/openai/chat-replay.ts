import { DONE, type StreamEvent } from '../types.ts';

type Json = Record<string, unknown>;
const asArray = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Json[]) : []);

/**
 * A chat completion object replayed as the chunk stream OpenAI sends for it: per choice, the
 * role, the whole content (and reasoning) as one delta, each tool call whole (id, name and
 * arguments in one chunk), then the finish reason; the usage chunk when the client asked for it
 * (`stream_options.include_usage`); `[DONE]`.
 */
export function chatReplayEvents(completion: Json, includeUsage: boolean): StreamEvent[] {
  const head = { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model, ...(completion.system_fingerprint !== undefined ? { system_fingerprint: completion.system_fingerprint } : {}) };
  const chunk = (choices: Json[], extra: Json = {}): StreamEvent => ({ data: { ...head, choices, ...extra } });
  const out: StreamEvent[] = [];
  for (const choice of asArray(completion.choices)) {
    const index = choice.index ?? 0;
    const m = (choice.message ?? {}) as Json;
    out.push(chunk([{ index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
    if (typeof m.reasoning_content === 'string' && m.reasoning_content) out.push(chunk([{ index, delta: { reasoning_content: m.reasoning_content }, logprobs: null, finish_reason: null }]));
    if (typeof m.content === 'string' && m.content) out.push(chunk([{ index, delta: { content: m.content }, logprobs: choice.logprobs ?? null, finish_reason: null }]));
    asArray(m.tool_calls).forEach((t, ti) => {
      const fn = (t.function ?? {}) as Json;
      out.push(chunk([{ index, delta: { tool_calls: [{ index: ti, id: t.id, type: t.type ?? 'function', function: { name: fn.name, arguments: fn.arguments ?? '' } }] }, logprobs: null, finish_reason: null }]));
    });
    out.push(chunk([{ index, delta: {}, logprobs: null, finish_reason: choice.finish_reason ?? 'stop' }]));
  }
  if (includeUsage && completion.usage) out.push(chunk([], { usage: completion.usage }));
  out.push({ data: DONE });
  return out;
}
