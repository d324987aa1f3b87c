import type { StreamEvent } from '../types.ts';

type Json = Record<string, unknown>;
const asArray = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Json[]) : []);

/**
 * An Anthropic message object replayed as the Messages stream Anthropic sends for it:
 * message_start (no content yet), each content block's start, its whole text, thinking (and
 * signature) or tool input as one delta, and its stop, then message_delta with the stop reason
 * and output usage, and message_stop.
 */
export function messagesReplayEvents(message: Json): StreamEvent[] {
  const out: StreamEvent[] = [];
  const ev = (type: string, data: Json) => void out.push({ event: type, data: { type, ...data } });
  const usage = (message.usage ?? {}) as Json;
  ev('message_start', { message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
  asArray(message.content).forEach((block, index) => {
    if (block.type === 'text') {
      ev('content_block_start', { index, content_block: { ...block, text: '' } });
      ev('content_block_delta', { index, delta: { type: 'text_delta', text: block.text ?? '' } });
    } else if (block.type === 'thinking') {
      ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: block.thinking ?? '' } });
      if (typeof block.signature === 'string') ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } });
    } else if (block.type === 'tool_use' || block.type === 'server_tool_use' || block.type === 'mcp_tool_use') {
      ev('content_block_start', { index, content_block: { ...block, input: {} } });
      ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) } });
    } else {
      // Blocks that arrive whole (redacted thinking, server tool results).
      ev('content_block_start', { index, content_block: block });
    }
    ev('content_block_stop', { index });
  });
  ev('message_delta', { delta: { stop_reason: message.stop_reason ?? 'end_turn', stop_sequence: message.stop_sequence ?? null }, usage: { output_tokens: usage.output_tokens ?? 0 } });
  ev('message_stop', {});
  return out;
}
