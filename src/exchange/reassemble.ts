import type { ClientSchema } from '../lib/render-error.ts';
import type { StreamEvent } from '../providers/types.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Rebuilds the answer a stream delivered, in the client's schema, as the JSON answer would have
 * been: OpenAI chat (choices with their message text and tool calls merged from the deltas) or
 * legacy completions (choice text), Anthropic Messages (the message with each content block
 * assembled), Responses (the terminal event's `response`). Used for prompt capture and the
 * response cache. At most `maxChars` of text is gathered; past it the rest is left out and
 * `truncated` says so. `lossy` says the stream carried something this rebuild does not keep
 * (logprobs, citations, a delta type it does not know): the value is then not the answer a
 * JSON call would have given, and the cache must not store it.
 */
export function streamReassembler(schema: ClientSchema, maxChars: number) {
  let chars = 0;
  let truncated = false;
  let lossy = false;
  const room = (s: string) => {
    if (chars + s.length <= maxChars) {
      chars += s.length;
      return s;
    }
    truncated = true;
    const cut = s.slice(0, Math.max(0, maxChars - chars));
    chars = maxChars;
    return cut;
  };

  // OpenAI chat / legacy completions
  let head: Obj | undefined;
  const choices = new Map<number, { content: string; text: string; reasoning: string; refusal: string; finish_reason: unknown; tools: Map<number, { id: unknown; type: unknown; name: string; arguments: string }> }>();
  let usage: unknown;
  // Anthropic
  let message: Obj | undefined;
  const blocks = new Map<number, Obj>();
  // Responses
  let response: unknown;

  function openaiChunk(d: Obj) {
    head ??= { id: d.id, object: d.object === 'text_completion' ? 'text_completion' : 'chat.completion', created: d.created, model: d.model };
    if (d.usage) usage = d.usage;
    for (const c of Array.isArray(d.choices) ? d.choices : []) {
      if (!isObj(c)) continue;
      const index = typeof c.index === 'number' ? c.index : 0;
      let ch = choices.get(index);
      if (!ch) choices.set(index, (ch = { content: '', text: '', reasoning: '', refusal: '', finish_reason: null, tools: new Map() }));
      if (c.finish_reason) ch.finish_reason = c.finish_reason;
      if (c.logprobs != null) lossy = true;
      ch.text += room(str(c.text));
      const delta = isObj(c.delta) ? c.delta : undefined;
      if (!delta) continue;
      ch.content += room(str(delta.content));
      ch.reasoning += room(str(delta.reasoning_content));
      ch.refusal += room(str(delta.refusal));
      for (const t of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
        if (!isObj(t)) continue;
        const ti = typeof t.index === 'number' ? t.index : ch.tools.size;
        let tool = ch.tools.get(ti);
        if (!tool) ch.tools.set(ti, (tool = { id: t.id, type: t.type ?? 'function', name: '', arguments: '' }));
        const fn = isObj(t.function) ? t.function : {};
        tool.name += str(fn.name);
        tool.arguments += room(str(fn.arguments));
      }
    }
  }

  function anthropicEvent(d: Obj) {
    switch (d.type) {
      case 'message_start':
        if (isObj(d.message)) message = { ...d.message, content: [] };
        return;
      case 'content_block_start':
        if (typeof d.index === 'number' && isObj(d.content_block)) blocks.set(d.index, { ...d.content_block });
        return;
      case 'content_block_delta': {
        const b = typeof d.index === 'number' ? blocks.get(d.index) : undefined;
        const delta = isObj(d.delta) ? d.delta : undefined;
        if (!b || !delta) return;
        if (delta.type === 'text_delta') b.text = str(b.text) + room(str(delta.text));
        else if (delta.type === 'thinking_delta') b.thinking = str(b.thinking) + room(str(delta.thinking));
        else if (delta.type === 'signature_delta') b.signature = str(b.signature) + str(delta.signature);
        else if (delta.type === 'input_json_delta') b.partial_json = str(b.partial_json) + room(str(delta.partial_json));
        else lossy = true; // citations_delta and anything newer: not rebuilt here
        return;
      }
      case 'message_delta':
        if (message && isObj(d.delta)) Object.assign(message, d.delta);
        if (message && isObj(d.usage)) message.usage = { ...(isObj(message.usage) ? message.usage : {}), ...d.usage };
        return;
    }
  }

  return {
    see(ev: StreamEvent): void {
      const d = ev.data;
      if (!isObj(d)) return;
      if (typeof d.type === 'string' && d.type.startsWith('response.')) {
        if ((d.type === 'response.completed' || d.type === 'response.incomplete' || d.type === 'response.failed') && isObj(d.response)) response = d.response;
        return;
      }
      if (schema === 'anthropic') anthropicEvent(d);
      else if (schema === 'openai') openaiChunk(d);
    },
    /** The answer as one JSON value (undefined if the stream carried nothing recognisable). */
    result(): { value: unknown; truncated: boolean; lossy: boolean } {
      if (response !== undefined) return { value: response, truncated, lossy };
      if (message) {
        const content = [...blocks.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([, b]) => {
            // tool_use, server_tool_use, mcp_tool_use: the input arrives as JSON text in pieces.
            if (typeof b.partial_json !== 'string') return b;
            const { partial_json, ...rest } = b;
            try {
              return { ...rest, input: JSON.parse(partial_json || '{}') };
            } catch {
              return { ...rest, input: partial_json };
            }
          });
        return { value: { ...message, content }, truncated, lossy };
      }
      if (!head) return { value: undefined, truncated, lossy };
      const legacy = head.object === 'text_completion';
      const list = [...choices.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([index, c]) => {
          if (legacy) return { index, text: c.text, finish_reason: c.finish_reason };
          const tool_calls = [...c.tools.values()].map((t) => ({ id: t.id, type: t.type, function: { name: t.name, arguments: t.arguments } }));
          const refusal = c.refusal ? { refusal: c.refusal } : {};
          return { index, message: { role: 'assistant', content: c.content || (tool_calls.length || c.refusal ? null : ''), ...refusal, ...(c.reasoning ? { reasoning_content: c.reasoning } : {}), ...(tool_calls.length ? { tool_calls } : {}) }, finish_reason: c.finish_reason };
        });
      return { value: { ...head, choices: list, ...(usage ? { usage } : {}) }, truncated, lossy };
    },
  };
}
