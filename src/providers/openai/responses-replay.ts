import type { StreamEvent } from '../types.ts';

type Json = Record<string, unknown>;

const TERMINAL: Record<string, string> = { completed: 'response.completed', incomplete: 'response.incomplete', failed: 'response.failed', cancelled: 'response.cancelled' };
const asArray = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Json[]) : []);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * A stored response object replayed as the Responses stream OpenAI sends for it
 * (`GET /v1/responses/{id}?stream=true`): response.created and response.in_progress, each output
 * item's added / part / delta / done events (the whole text as one delta), then the terminal
 * event for its status, numbered from 0. Items of types it does not know (built-in tool calls from
 * the native path) are given as added and done.
 */
export function replayEvents(response: Json): StreamEvent[] {
  let seq = 0;
  const out: StreamEvent[] = [];
  const ev = (type: string, data: Json) => void out.push({ event: type, data: { type, sequence_number: seq++, ...data } });
  const shell = { ...response, status: 'in_progress', output: [], usage: null, incomplete_details: null, error: null };
  ev('response.created', { response: shell });
  ev('response.in_progress', { response: shell });
  asArray(response.output).forEach((item, index) => {
    const at = { item_id: item.id, output_index: index };
    if (item.type === 'message') {
      ev('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } });
      asArray(item.content).forEach((part, ci) => {
        const refusal = part.type === 'refusal';
        const text = str(refusal ? part.refusal : part.text);
        ev('response.content_part.added', { ...at, content_index: ci, part: refusal ? { ...part, refusal: '' } : { ...part, text: '', annotations: [] } });
        if (refusal) {
          ev('response.refusal.delta', { ...at, content_index: ci, delta: text });
          ev('response.refusal.done', { ...at, content_index: ci, refusal: text });
        } else {
          ev('response.output_text.delta', { ...at, content_index: ci, delta: text, logprobs: [] });
          ev('response.output_text.done', { ...at, content_index: ci, text, logprobs: [] });
        }
        ev('response.content_part.done', { ...at, content_index: ci, part });
      });
    } else if (item.type === 'function_call') {
      const args = str(item.arguments);
      ev('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } });
      ev('response.function_call_arguments.delta', { ...at, delta: args });
      ev('response.function_call_arguments.done', { ...at, arguments: args });
    } else if (item.type === 'reasoning') {
      ev('response.output_item.added', { output_index: index, item: { ...item, summary: [] } });
      asArray(item.summary).forEach((part, si) => {
        const text = str(part.text);
        ev('response.reasoning_summary_part.added', { ...at, summary_index: si, part: { type: 'summary_text', text: '' } });
        ev('response.reasoning_summary_text.delta', { ...at, summary_index: si, delta: text });
        ev('response.reasoning_summary_text.done', { ...at, summary_index: si, text });
        ev('response.reasoning_summary_part.done', { ...at, summary_index: si, part });
      });
    } else {
      ev('response.output_item.added', { output_index: index, item });
    }
    ev('response.output_item.done', { output_index: index, item });
  });
  ev(TERMINAL[str(response.status)] ?? 'response.completed', { response });
  return out;
}
