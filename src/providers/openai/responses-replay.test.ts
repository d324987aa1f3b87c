import { expect, test } from 'bun:test';
import { replayEvents } from './responses-replay.ts';

test('reasoning, refusal and built-in items replay with their own events; an incomplete response ends in response.incomplete', () => {
  const response = {
    id: 'resp_1',
    object: 'response',
    status: 'incomplete',
    incomplete_details: { reason: 'max_output_tokens' },
    usage: { input_tokens: 1, output_tokens: 2 },
    output: [
      { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'thinking' }], encrypted_content: 'sig' },
      { id: 'ws_1', type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'q' } },
      { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'refusal', refusal: 'no' }] },
    ],
  };
  const events = replayEvents(response).map((e) => e.data as Record<string, unknown>);
  expect(events.map((e) => e.type)).toEqual([
    'response.created',
    'response.in_progress',
    'response.output_item.added',
    'response.reasoning_summary_part.added',
    'response.reasoning_summary_text.delta',
    'response.reasoning_summary_text.done',
    'response.reasoning_summary_part.done',
    'response.output_item.done',
    'response.output_item.added',
    'response.output_item.done',
    'response.output_item.added',
    'response.content_part.added',
    'response.refusal.delta',
    'response.refusal.done',
    'response.content_part.done',
    'response.output_item.done',
    'response.incomplete',
  ]);
  expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  expect(events[0]!.response).toMatchObject({ id: 'resp_1', status: 'in_progress', output: [], usage: null });
  expect(events[4]).toMatchObject({ item_id: 'rs_1', output_index: 0, delta: 'thinking' });
  expect(events[12]).toMatchObject({ item_id: 'msg_1', output_index: 2, delta: 'no' });
  expect(events.at(-1)!.response).toBe(response);
});
