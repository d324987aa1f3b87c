import { redact, type PiiType } from '../policy/pii.ts';
import type { RequestBody } from '../policy/input.ts';
import type { ResponsesInputItem } from '../wire/responses.ts';

/** A Responses input item with its text masked: message content, tool output and arguments. */
function redactItem(item: ResponsesInputItem, parts: (c: unknown) => unknown, r: (s: string) => string): ResponsesInputItem {
  const o = item as Record<string, unknown>;
  if ('content' in o && o.content !== undefined) return { ...o, content: parts(o.content) } as ResponsesInputItem;
  if (o.type === 'function_call_output') return { ...o, output: parts(o.output) } as ResponsesInputItem;
  if (o.type === 'function_call' && typeof o.arguments === 'string') return { ...o, arguments: r(o.arguments) } as ResponsesInputItem;
  return item;
}

/**
 * Masks the PII types the decision names in every piece of prompt text, before the request
 * leaves the gateway. Returns a new body; the client's object is not modified.
 */
export function redactBody<B extends RequestBody>(b: B, types: readonly PiiType[]): B {
  if (!types.length) return b;
  const r = (s: string) => redact(s, types);
  const parts = (c: unknown): unknown =>
    typeof c === 'string'
      ? r(c)
      : Array.isArray(c)
        ? c.map((p) => {
            if (!p || typeof p !== 'object') return p;
            const o = p as Record<string, unknown>;
            if (typeof o.text === 'string') return { ...o, text: r(o.text) };
            if (o.type === 'tool_result' && o.content !== undefined) return { ...o, content: parts(o.content) };
            return o;
          })
        : c;
  if (b.endpoint === 'embeddings') {
    const input = b.body.input;
    const next = typeof input === 'string' ? r(input) : Array.isArray(input) ? input.map((x) => (typeof x === 'string' ? r(x) : x)) : input;
    return { ...b, body: { ...b.body, input: next } } as B;
  }
  if (b.endpoint === 'completions') {
    const { prompt, suffix } = b.body;
    const next = typeof prompt === 'string' ? r(prompt) : prompt.map((x) => (typeof x === 'string' ? r(x) : x));
    return { ...b, body: { ...b.body, prompt: next, ...(typeof suffix === 'string' ? { suffix: r(suffix) } : {}) } } as B;
  }
  if (b.endpoint === 'messages') {
    const body = b.body;
    return { ...b, body: { ...body, system: body.system === undefined ? undefined : parts(body.system), messages: body.messages.map((m) => ({ ...m, content: parts(m.content) })) } } as B;
  }
  if (b.endpoint === 'responses') {
    const body = b.body;
    const input = typeof body.input === 'string' ? r(body.input) : body.input?.map((item) => redactItem(item, parts, r));
    return { ...b, body: { ...body, input, instructions: body.instructions ? r(body.instructions) : body.instructions } } as B;
  }
  const body = b.body;
  return {
    ...b,
    body: {
      ...body,
      messages: body.messages.map((m) => ('content' in m && m.content != null ? { ...m, content: parts(m.content) } : m)),
    },
  } as B;
}
