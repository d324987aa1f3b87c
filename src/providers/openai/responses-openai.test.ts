import { expect, test } from 'bun:test';
import { responsesToOpenAI } from './responses-openai.ts';
import { responsesRequest, type ResponsesRequest } from '../../wire/responses.ts';
import { depthLimited } from '../../wire/json-depth.ts';

type Json = Record<string, unknown>;
const ctx = { model: 'up-model', publicModel: 'pub', clientHeaders: new Headers() };
const translate = (req: Json) => responsesToOpenAI('compat').request(responsesRequest.parse({ model: 'pub', ...req }) as ResponsesRequest, ctx);

test('items become chat messages: instructions, parts, parallel calls on one assistant turn, tool outputs', () => {
  const call = translate({
    instructions: 'Be brief.',
    input: [
      { role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'https://x/img.png', detail: 'low' }, { type: 'input_file', file_data: 'data:application/pdf;base64,AA', filename: 'a.pdf' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'calling', annotations: [] }] },
      { type: 'function_call', call_id: 'c1', name: 'a', arguments: '{}' },
      { type: 'function_call', call_id: 'c2', name: 'b', arguments: '{"x":1}' },
      { type: 'function_call_output', call_id: 'c1', output: 'A' },
      { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'B' }] },
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thought' }] },
    ],
  });
  const body = call.body as Json;
  expect(call.op).toBe('chat');
  expect(body.model).toBe('up-model');
  expect(body.messages).toEqual([
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://x/img.png', detail: 'low' } }, { type: 'file', file: { file_data: 'data:application/pdf;base64,AA', filename: 'a.pdf' } }] },
    { role: 'assistant', content: 'calling', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'a', arguments: '{}' } }, { id: 'c2', type: 'function', function: { name: 'b', arguments: '{"x":1}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: 'A' },
    { role: 'tool', tool_call_id: 'c2', content: 'B' },
  ]);
  expect(call.dropped).toEqual(['input.reasoning']);
});

test('parameters map to their chat names; hints are dropped and reported', () => {
  const call = translate({
    input: 'hi',
    stream: true,
    tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
    tool_choice: { type: 'function', name: 'f' },
    parallel_tool_calls: false,
    text: { format: { type: 'json_schema', name: 's', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
    reasoning: { effort: 'high', summary: 'auto' },
    max_output_tokens: 99,
    temperature: 0.5,
    top_p: 0.9,
    user: 'u1',
    truncation: 'auto',
    include: ['reasoning.encrypted_content'],
    metadata: { a: 'b' },
  });
  const body = call.body as Json;
  expect(body).toMatchObject({
    stream: true,
    stream_options: { include_usage: true },
    tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }],
    tool_choice: { type: 'function', function: { name: 'f' } },
    parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' }, strict: true } },
    reasoning_effort: 'high',
    max_completion_tokens: 99,
    temperature: 0.5,
    top_p: 0.9,
    user: 'u1',
  });
  expect(body.metadata).toBeUndefined();
  expect(call.dropped!.sort()).toEqual(['include', 'reasoning.summary', 'text.verbosity', 'truncation']);
});

test('what changes the answer and has no chat equivalent is refused by name', () => {
  expect(() => translate({ input: 'hi', tools: [{ type: 'web_search' }] })).toThrow(expect.objectContaining({ status: 400, param: 'tools[0]', message: expect.stringContaining("'web_search'") }));
  expect(() => translate({ input: [{ type: 'item_reference', id: 'x' }] })).toThrow(expect.objectContaining({ status: 400, param: 'input[0].type' }));
  expect(() => translate({ input: 'hi', conversation: 'conv_1' })).toThrow(expect.objectContaining({ status: 400, param: 'conversation' }));
  expect(() => translate({ input: 'hi', tool_choice: { type: 'web_search' } })).toThrow(expect.objectContaining({ status: 400, param: 'tool_choice' }));
});

test('the response object: reasoning, message and function call items; length is incomplete with its reason', () => {
  const t = responsesToOpenAI('compat');
  t.request(responsesRequest.parse({ model: 'pub', input: 'hi', max_output_tokens: 5 }) as ResponsesRequest, ctx);
  const r = t.response({
    choices: [{ index: 0, message: { role: 'assistant', content: 'Par', reasoning_content: 'think', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'length' }],
    usage: { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } },
  }) as Json;
  expect(r).toMatchObject({ object: 'response', model: 'pub', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, max_output_tokens: 5 });
  expect((r.output as Json[]).map((o) => o.type)).toEqual(['reasoning', 'message', 'function_call']);
  expect((r.output as Json[])[0]).toMatchObject({ summary: [{ type: 'summary_text', text: 'think' }] });
  expect((r.output as Json[])[2]).toMatchObject({ call_id: 'call_1', name: 'f', arguments: '{}' });
  expect(r.usage).toEqual({ input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 15 });
});

test('a stream cut before its finish_reason fails instead of completing', () => {
  const t = responsesToOpenAI('compat');
  t.request(responsesRequest.parse({ model: 'pub', input: 'hi', stream: true }) as ResponsesRequest, ctx);
  t.streamEvent({ data: { choices: [{ index: 0, delta: { content: 'Hel' } }] } });
  expect(() => t.streamEnd()).toThrow(expect.objectContaining({ kind: 'upstream_invalid' }));
});

test('the wire bounds input size and depth with a 400 naming the field', () => {
  const deep: Json = {};
  let at = deep;
  for (let i = 0; i < 100; i++) at = (at.x = {}) as Json;
  const r = depthLimited(responsesRequest).safeParse({ model: 'm', input: [{ role: 'user', content: 'x', extra: deep }] });
  expect(r.success).toBe(false);
  expect(responsesRequest.safeParse({ model: 'm', input: Array.from({ length: 5000 }, () => ({ role: 'user', content: 'x' })) }).success).toBe(false);
  expect(responsesRequest.safeParse({ model: 'm', input: 'x', temperature: 3 }).success).toBe(false);
});
