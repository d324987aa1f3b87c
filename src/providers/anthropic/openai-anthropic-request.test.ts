import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { openaiToAnthropic } from './openai-anthropic.ts';

type Json = Record<string, unknown>;
const ctx = { model: 'claude-upstream', publicModel: 'claude-public', clientHeaders: new Headers() };
const hi = [{ role: 'user' as const, content: 'Hi' }];

function reqBody(body: Partial<OpenAIChatRequest>): Json {
  return openaiToAnthropic('anthropic').request({ model: 'claude-public', messages: hi, ...body } as OpenAIChatRequest, ctx).body as Json;
}

function rejects(body: Partial<OpenAIChatRequest>, param: string) {
  let err: unknown;
  try {
    reqBody(body);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(GatewayError);
  expect((err as GatewayError).kind).toBe('invalid_request');
  expect((err as GatewayError).param).toBe(param);
}

describe('openai → anthropic request', () => {
  test('system and developer messages become system; consecutive turns merge; default max_tokens is 4096', () => {
    const b = reqBody({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] },
        { role: 'user', content: 'Hi' },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
        { role: 'assistant', content: 'Bonjour' },
        { role: 'user', content: 'Bye' },
      ],
    });
    expect(b.model).toBe('claude-upstream');
    expect(b.system).toEqual([{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Use French.' }]);
    expect(b.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: 'Again' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Bonjour' }] },
      { role: 'user', content: [{ type: 'text', text: 'Bye' }] },
    ]);
    expect(b.max_tokens).toBe(4096);
    expect(b.stream).toBeUndefined();
  });

  test('image parts: data URLs become base64 sources, https URLs url sources; PDFs become documents', () => {
    const b = reqBody({
      messages: [{
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'auto' } },
          { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBE' } },
        ],
      }],
    });
    expect((b.messages as Json[])[0]!.content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' }, title: 'a.pdf' },
    ]);
    rejects({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }, 'messages[0].content[0].type');
  });

  test('tool calls and results: arguments parsed, consecutive tool messages grouped in one user turn', () => {
    const b = reqBody({
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: '', tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ] },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'Rain' }] },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(b.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      { role: 'assistant', content: [
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} },
      ] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny' },
        { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: 'Rain' }] },
        { type: 'text', text: 'Thanks' },
      ] },
    ]);
    rejects({ messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{nope' } }] }] }, 'messages[0].tool_calls[0].function.arguments');
  });

  test('tools, tool_choice and parallel_tool_calls', () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];
    const b = reqBody({ tools, tool_choice: 'required', parallel_tool_calls: false });
    expect(b.tools).toEqual([{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { location: { type: 'string' } } } }]);
    expect(b.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(reqBody({ tools, tool_choice: 'auto' }).tool_choice).toEqual({ type: 'auto' });
    expect(reqBody({ tools, tool_choice: 'none' }).tool_choice).toEqual({ type: 'none' });
    expect(reqBody({ tools, tool_choice: { type: 'function', function: { name: 'get_weather' } } }).tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
    expect(reqBody({ tools, parallel_tool_calls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(reqBody({ parallel_tool_calls: false, tool_choice: 'auto' }).tool_choice).toBeUndefined();
    expect(reqBody({ tools: [{ type: 'function', function: { name: 'noargs' } }] }).tools).toEqual([{ name: 'noargs', input_schema: { type: 'object', properties: {} } }]);
  });

  test('sampling parameters map; temperature above 1 is rejected, never clamped', () => {
    const b = reqBody({ temperature: 0.7, top_p: 0.9, stop: 'END', user: 'u-1', max_tokens: 100, max_completion_tokens: 200, stream: true, n: 1, presence_penalty: 0 });
    expect(b).toMatchObject({ temperature: 0.7, top_p: 0.9, stop_sequences: ['END'], metadata: { user_id: 'u-1' }, max_tokens: 200, stream: true });
    expect(b.stream_options).toBeUndefined();
    rejects({ temperature: 1.5 }, 'temperature');
  });

  test('parameters Anthropic cannot express are 400s naming them', () => {
    rejects({ seed: 1 }, 'seed');
    rejects({ n: 2 }, 'n');
    rejects({ logprobs: true }, 'logprobs');
    rejects({ presence_penalty: 0.5 }, 'presence_penalty');
    rejects({ frequency_penalty: 0.5 }, 'frequency_penalty');
    rejects({ metadata: { a: 'b' } }, 'metadata');
    rejects({ foo: 1 } as Partial<OpenAIChatRequest>, 'foo');
    rejects({ messages: [{ role: 'user', content: 'x', name: 'bob' }] }, 'messages[0].name');
    rejects({ messages: [{ role: 'function', content: 'x', name: 'f' }] }, 'messages[0].role');
  });

  test('response_format becomes a forced synthetic tool', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const b = reqBody({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } } });
    expect(b.tools).toEqual([{ name: 'answer', description: expect.any(String), input_schema: schema, strict: true }]);
    expect(b.tool_choice).toEqual({ type: 'tool', name: 'answer' });
    const o = reqBody({ response_format: { type: 'json_object' } });
    expect(o.tools).toEqual([{ name: 'json_object', description: expect.any(String), input_schema: { type: 'object', additionalProperties: true } }]);
    const withTools = reqBody({ response_format: { type: 'json_object' }, tools: [{ type: 'function', function: { name: 'f' } }] });
    expect(withTools.tool_choice).toEqual({ type: 'any' });
    expect(reqBody({ response_format: { type: 'text' } }).tools).toBeUndefined();
    rejects({ response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array' } } } }, 'response_format.json_schema.schema.type');
  });

  test('reasoning_effort becomes a thinking budget', () => {
    const b = reqBody({ reasoning_effort: 'low' });
    expect(b.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(b.max_tokens).toBe(2048 + 4096);
    expect(reqBody({ reasoning_effort: 'high', max_completion_tokens: 30000 }).thinking).toEqual({ type: 'enabled', budget_tokens: 24576 });
    rejects({ reasoning_effort: 'medium', max_tokens: 1000 }, 'max_tokens');
    rejects({ reasoning_effort: 'low', response_format: { type: 'json_object' } }, 'reasoning_effort');
  });
});

describe('openai → anthropic hints and mapped extras', () => {
  const call = (body: Record<string, unknown>) => openaiToAnthropic('anthropic').request({ model: 'claude-public', messages: hi, ...body } as OpenAIChatRequest, ctx);

  test('image_url.detail is a dropped hint, named, and the image still goes', () => {
    const c = call({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'high' } }] }] });
    expect(c.dropped).toEqual(['image_url.detail']);
    expect((c.body as { messages: unknown }).messages).toEqual([{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }]);
    expect(call({}).dropped).toBeUndefined();
  });

  test('top_k is mapped; service_tier default → standard_only, flex dropped', () => {
    expect(call({ top_k: 20 }).body).toMatchObject({ top_k: 20 });
    expect(call({ service_tier: 'default' }).body).toMatchObject({ service_tier: 'standard_only' });
    const flex = call({ service_tier: 'flex' });
    expect([flex.dropped, (flex.body as Json).service_tier]).toEqual([['service_tier'], undefined]);
  });

  test('echoed assistant keys (provider_specific_fields, function_call: null) are tolerated', () => {
    const c = call({ messages: [...hi, { role: 'assistant', content: 'Hello', provider_specific_fields: { x: 1 }, function_call: null }, { role: 'user', content: 'More' }] });
    expect(((c.body as Json).messages as Json[])[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Hello' }] });
  });
});
