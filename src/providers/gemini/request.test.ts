import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { openaiToGemini } from './openai-gemini.ts';
import { cassette, fixtureJson, type GRequest, type GResponse, type OACompletion } from '../../../test/support/gemini-fixtures.ts';

const ctx = (model = 'gemini-2.5-flash') => ({ model, publicModel: 'my-gemini', clientHeaders: new Headers() });
const translate = (req: Partial<OpenAIChatRequest> & Record<string, unknown>, model?: string): GRequest =>
  openaiToGemini('gemini').request({ model: 'my-gemini', messages: [{ role: 'user', content: 'hi' }], ...req } as OpenAIChatRequest, ctx(model)).body as GRequest;
const rejects = (req: Partial<OpenAIChatRequest> & Record<string, unknown>, param: string, model?: string) => {
  try {
    translate(req, model);
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    expect((e as GatewayError).kind).toBe('invalid_request');
    expect((e as GatewayError).status).toBe(400);
    expect((e as GatewayError).param).toBe(param);
    return (e as GatewayError).message;
  }
  throw new Error(`expected a 400 naming ${param}`);
};

describe('messages', () => {
  test('system and developer messages become the system instruction; turns map to user/model', () => {
    const body = translate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Capital of France?' },
        { role: 'assistant', content: 'Paris.' },
        { role: 'user', content: [{ type: 'text', text: 'And Spain?' }] },
      ],
    });
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Capital of France?' }] },
      { role: 'model', parts: [{ text: 'Paris.' }] },
      { role: 'user', parts: [{ text: 'And Spain?' }] },
    ]);
    expect(body.generationConfig).toBeUndefined();
  });

  test('a tool round trip matches what pydantic-ai sent to the real API', () => {
    // The recorded second request: user text, the model's functionCall, the functionResponse.
    const recorded = cassette('pydantic-ai_test_google_test_google_model_iter_stream.yaml')[1]!.request.parsed_body!;
    const body = translate({
      messages: [
        { role: 'system', content: 'You are a helpful chatbot.' },
        { role: 'user', content: 'What is the temperature of the capital of France?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_capital', arguments: '{"country":"France"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'Paris' },
      ],
    });
    const shape = (contents: GRequest['contents']) => contents.map((c) => [c.role, ...c.parts.map((p) => Object.keys(p).join('+'))]);
    expect(shape(body.contents)).toEqual(shape((recorded as unknown as GRequest).contents));
    expect(body.systemInstruction!.parts).toEqual((recorded as unknown as GRequest).systemInstruction!.parts);
    const call = body.contents[1].parts[0].functionCall;
    expect({ name: call!.name, args: call!.args }).toEqual({ name: 'get_capital', args: { country: 'France' } });
    expect(body.contents[2].parts[0].functionResponse).toEqual({ name: 'get_capital', response: { result: 'Paris' }, id: 'call_1' });
  });

  test('results of parallel calls share one user turn; JSON results are passed as data', () => {
    const body = translate({
      messages: [
        { role: 'user', content: 'sum and product' },
        {
          role: 'assistant',
          content: 'Working on it.',
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'sum', arguments: '{"x":1,"y":2}' } },
            { id: 'b', type: 'function', function: { name: 'mul', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'a', content: '{"value": 3}' },
        { role: 'tool', tool_call_id: 'b', content: [{ type: 'text', text: 'six' }] },
      ],
    });
    expect(body.contents).toHaveLength(3);
    expect(body.contents[1].parts).toEqual([
      { text: 'Working on it.' },
      { functionCall: { name: 'sum', args: { x: 1, y: 2 }, id: 'a' } },
      { functionCall: { name: 'mul', args: {}, id: 'b' } },
    ]);
    expect(body.contents[2]).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { name: 'sum', response: { result: { value: 3 } }, id: 'a' } },
        { functionResponse: { name: 'mul', response: { result: 'six' }, id: 'b' } },
      ],
    });
  });

  test('a thought signature from a Gemini answer goes back with the call', () => {
    const fixture = fixtureJson('firebase-testdata_googleai_unary-success-thinking-function-call-thought-summary-signature.json') as GResponse;
    const part = fixture.candidates![0]!.content!.parts!.find((p) => p.functionCall)!;
    const t = openaiToGemini('gemini');
    t.request({ model: 'm', messages: [{ role: 'user', content: 'days to new year?' }] } as OpenAIChatRequest, ctx('gemini-2.5-pro'));
    const answer = t.response(fixture) as OACompletion;
    const toolCall = answer.choices[0]!.message.tool_calls![0]!;
    expect(toolCall.id).toMatch(/^call_[0-9a-f]{24}__ts__[A-Za-z0-9_-]+$/);
    const body = translate(
      {
        messages: [
          { role: 'user', content: 'days to new year?' },
          { role: 'assistant', content: null, tool_calls: [{ id: toolCall.id, type: 'function', function: toolCall.function }] },
          { role: 'tool', tool_call_id: toolCall.id, content: '2025-07-28' },
        ],
      },
      'gemini-2.5-pro',
    );
    const sent = body.contents[1].parts[0];
    expect(sent.thoughtSignature).toBe(part.thoughtSignature);
    expect(sent.functionCall!.id).toBe(toolCall.id.split('__ts__')[0]);
    expect(body.contents[2].parts[0].functionResponse!.name).toBe('now');
  });

  test("calls Gemini 3 did not sign get Google's stand-in signature; older models get none", () => {
    const messages = [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'w', arguments: '{}' } }, { id: 'toolu_2', type: 'function', function: { name: 'w', arguments: '{}' } }] },
    ] as OpenAIChatRequest['messages'];
    const g3 = translate({ messages }, 'gemini-3-pro-preview').contents[1].parts;
    expect(g3[0].thoughtSignature).toBe('skip_thought_signature_validator');
    expect(g3[1].thoughtSignature).toBeUndefined();
    expect(translate({ messages }, 'gemini-2.5-flash').contents[1].parts[0].thoughtSignature).toBeUndefined();
  });

  test('images, audio and files', () => {
    const body = translate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.JPG?size=large', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'gs://bucket/dog.webp', detail: 'high' } },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
          ],
        },
      ],
    });
    expect(body.contents[0].parts).toEqual([
      { text: 'Compare' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.JPG?size=large' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'gs://bucket/dog.webp' } },
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
    ]);
    expect(body.generationConfig!.mediaResolution).toBe('MEDIA_RESOLUTION_HIGH');
  });

  test('what Gemini cannot take in a message is a 400 naming it', () => {
    const img = (url: string, detail?: 'low' | 'high') => ({ type: 'image_url' as const, image_url: { url, ...(detail ? { detail } : {}) } });
    expect(rejects({ messages: [{ role: 'user', content: [img('https://example.com/photo')] }] }, 'messages[0].content[0].image_url.url')).toContain('extension');
    rejects({ messages: [{ role: 'user', content: [img('https://x.com/a.gif')] }] }, 'messages[0].content[0].image_url.url');
    rejects({ messages: [{ role: 'user', content: [img('ftp://x.com/a.png')] }] }, 'messages[0].content[0].image_url.url');
    rejects({ messages: [{ role: 'user', content: [img('data:image/png,notbase64')] }] }, 'messages[0].content[0].image_url.url');
    rejects({ messages: [{ role: 'user', content: [img('https://a.com/1.png', 'low'), img('https://a.com/2.png', 'high')] }] }, 'messages');
    rejects({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'flac' } }] }] }, 'messages[0].content[0].input_audio.format');
    rejects({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }] }, 'messages[0].content[0].file.file_id');
    rejects({ messages: [{ role: 'system', content: [img('https://a.com/1.png')] }, { role: 'user', content: 'hi' }] }, 'messages[0].content[0]');
    rejects({ messages: [{ role: 'user', content: 'hi', name: 'alice' }] }, 'messages[0].name');
    rejects({ messages: [{ role: 'function', name: 'f', content: '1' }] }, 'messages[0].role');
    rejects({ messages: [{ role: 'user', content: '' }] }, 'messages[0].content');
    rejects({ messages: [{ role: 'system', content: 'only a system prompt' }] }, 'messages');
    rejects({ messages: [{ role: 'user', content: 'hi' }, { role: 'tool', tool_call_id: 'nope', content: 'x' }] }, 'messages[1].tool_call_id');
    const badArgs = [{ id: 'c', type: 'function' as const, function: { name: 'f', arguments: '[1]' } }];
    rejects({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', tool_calls: badArgs }] }, 'messages[1].tool_calls[0].function.arguments');
    rejects({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'x', audio: { id: 'audio_1' } }] as OpenAIChatRequest['messages'] }, 'messages[1].audio');
  });
});

describe('parameters', () => {
  test('generation parameters map one to one', () => {
    const body = translate({
      temperature: 1.5,
      top_p: 0.9,
      max_completion_tokens: 256,
      stop: ['END', ''],
      seed: 42,
      n: 2,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logprobs: true,
      top_logprobs: 3,
      reasoning_effort: 'low',
      user: 'end-user-42',
      metadata: { team: 'a' },
      store: false,
      stream_options: null,
    });
    expect(body.generationConfig).toEqual({
      temperature: 1.5,
      topP: 0.9,
      maxOutputTokens: 256,
      stopSequences: ['END'],
      seed: 42,
      candidateCount: 2,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      responseLogprobs: true,
      logprobs: 3,
      thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
    });
    expect(JSON.stringify(body)).not.toContain('end-user-42');
    expect(translate({ max_tokens: 5, stop: 'x' }).generationConfig).toEqual({ maxOutputTokens: 5, stopSequences: ['x'] });
  });

  test('max_tokens reaches the wire as pydantic-ai recorded it', () => {
    const recorded = cassette('pydantic-ai_test_google_test_google_model_max_tokens.yaml')[0]!.request.parsed_body!;
    expect(translate({ max_tokens: 5 }).generationConfig!.maxOutputTokens).toBe((recorded as unknown as GRequest).generationConfig!.maxOutputTokens);
  });

  test('tools use the JSON Schema field, minus $schema', () => {
    const parameters = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { city: { type: 'string' }, $schema: { type: 'string' }, unit: { anyOf: [{ const: 'C' }, { const: 'F' }] } },
      required: ['city'],
      additionalProperties: false,
    };
    const body = translate({
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters, strict: true } },
        { type: 'function', function: { name: 'now' } },
        { type: 'function', function: { name: 'ping', parameters: {} } },
      ],
    });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather for a city',
            parametersJsonSchema: {
              type: 'object',
              properties: { city: { type: 'string' }, $schema: { type: 'string' }, unit: { anyOf: [{ const: 'C' }, { const: 'F' }] } },
              required: ['city'],
              additionalProperties: false,
            },
          },
          { name: 'now' },
          { name: 'ping' },
        ],
      },
    ]);
    expect(parameters.$schema).toBeDefined();
    rejects({ tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'array' } } }] }, 'tools[0].function.parameters');
  });

  test('tool_choice → functionCallingConfig, as in the recorded tool-choice matrix', () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const auto = cassette('pydantic-ai_test_tool_choice_matrix_test_tool_choice_matrix__auto-google.yaml')[0]!.request.parsed_body!;
    const required = cassette('pydantic-ai_test_tool_choice_matrix_test_tool_choice_matrix__required-google.yaml')[0]!.request.parsed_body!;
    expect(translate({ tools, tool_choice: 'auto' }).toolConfig).toEqual(auto.toolConfig);
    expect(translate({ tools, tool_choice: 'required' }).toolConfig).toEqual(required.toolConfig);
    expect(translate({ tools, tool_choice: 'none' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(translate({ tools, tool_choice: { type: 'function', function: { name: 'get_weather' } } }).toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] },
    });
    expect(translate({ tools }).toolConfig).toBeUndefined();
    expect(translate({ tool_choice: 'none' }).toolConfig).toBeUndefined();
    rejects({ tools, tool_choice: { type: 'function', function: { name: 'other' } } }, 'tool_choice');
    rejects({ tool_choice: 'required' }, 'tool_choice');
    expect(translate({ tools, parallel_tool_calls: true }).tools).toHaveLength(1);
  });

  test('response_format → JSON mode and responseJsonSchema', () => {
    expect(translate({ response_format: { type: 'json_object' } }).generationConfig).toEqual({ responseMimeType: 'application/json' });
    expect(translate({ response_format: { type: 'text' } }).generationConfig).toBeUndefined();
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false };
    expect(translate({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } } }).generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false },
    });
  });

  test('reasoning_effort → thinking budgets', () => {
    const budget = (e: 'minimal' | 'low' | 'medium' | 'high') => translate({ reasoning_effort: e }).generationConfig!.thinkingConfig!.thinkingBudget;
    expect([budget('minimal'), budget('low'), budget('medium'), budget('high')]).toEqual([128, 1024, 8192, 24576]);
  });

  test('parameters Gemini has no counterpart for are a 400 naming them', () => {
    expect(rejects({ logit_bias: { '50256': -100 } }, 'logit_bias')).toBe('Parameter logit_bias is not supported by gemini');
    rejects({ modalities: ['text', 'audio'] }, 'modalities');
    rejects({ store: true }, 'store');
    rejects({ top_logprobs: 2 }, 'top_logprobs');
    rejects({ max_tokens: 10, max_completion_tokens: 20 }, 'max_tokens');
    // Defaults and nulls are not requests for anything.
    expect(translate({ logit_bias: null, service_tier: 'auto', n: 1, logprobs: false }).generationConfig).toBeUndefined();
  });

  test('stream flags', () => {
    const t = openaiToGemini('gemini');
    const call = t.request({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } } as OpenAIChatRequest, ctx());
    expect(call).toMatchObject({ op: 'chat', stream: true });
    expect(JSON.stringify(call.body)).not.toContain('stream');
  });
});

describe('parallel_tool_calls, top_k and hints', () => {
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object' } } }, { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object' } } }];
  const call = (req: Record<string, unknown>) => openaiToGemini('gemini').request({ model: 'my-gemini', messages: [{ role: 'user', content: 'hi' }], ...req } as OpenAIChatRequest, ctx());

  test('parallel_tool_calls false keeps only the first call of a recorded parallel answer', () => {
    const json = fixtureJson('firebase-testdata_vertexai_unary-success-function-call-different-parallel-calls.json') as GResponse;
    const calls = json.candidates![0]!.content!.parts!.filter((p) => p.functionCall);
    expect(calls.length).toBeGreaterThan(1);
    const one = openaiToGemini('gemini');
    one.request({ model: 'my-gemini', messages: [{ role: 'user', content: 'hi' }], tools, parallel_tool_calls: false } as OpenAIChatRequest, ctx());
    const out = one.response(json) as OACompletion;
    expect(out.choices[0]!.message.tool_calls!.map((c) => c.function.name)).toEqual([calls[0]!.functionCall!.name as string]);
    expect(out.choices[0]!.finish_reason).toBe('tool_calls');
    const all = openaiToGemini('gemini');
    all.request({ model: 'my-gemini', messages: [{ role: 'user', content: 'hi' }], tools } as OpenAIChatRequest, ctx());
    expect((all.response(json) as OACompletion).choices[0]!.message.tool_calls).toHaveLength(calls.length);
  });

  test('parallel_tool_calls false on a stream streams the first call only', () => {
    const t = openaiToGemini('gemini');
    t.request({ model: 'my-gemini', messages: [{ role: 'user', content: 'hi' }], tools, parallel_tool_calls: false, stream: true } as OpenAIChatRequest, ctx());
    const parts = [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_time', args: {} } }];
    const events = [...t.streamEvent({ data: { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }] } }), ...t.streamEnd()];
    const names = events.flatMap((e) => ((e.data as OAChunkish).choices?.[0]?.delta?.tool_calls ?? []).map((c) => c.function.name));
    expect(names).toEqual(['get_weather']);
  });

  test('top_k → topK; service_tier is dropped and named', () => {
    expect((call({ top_k: 40 }).body as GRequest).generationConfig).toEqual({ topK: 40 });
    const c = call({ service_tier: 'default' });
    expect(c.dropped).toEqual(['service_tier']);
    expect((c.body as Record<string, unknown>).service_tier).toBeUndefined();
    rejects({ top_k: 0.5 }, 'top_k');
  });
});

interface OAChunkish {
  choices?: { delta?: { tool_calls?: { function: { name: string } }[] } }[];
}

test('echoed assistant keys (provider_specific_fields, function_call: null) are tolerated', () => {
  const body = translate({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b', provider_specific_fields: { x: 1 }, function_call: null }, { role: 'user', content: 'c' }] as OpenAIChatRequest['messages'] });
  expect(body.contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
});
