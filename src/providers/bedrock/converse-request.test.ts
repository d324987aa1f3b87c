import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { cassette } from '../../../test/mocks/bedrock-fixtures.ts';
import { openaiToBedrock } from './openai-bedrock.ts';

const ctx = { model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', publicModel: 'claude', clientHeaders: new Headers() };
const user = (content: string) => ({ role: 'user' as const, content });
const req = (extra: Partial<OpenAIChatRequest> & Record<string, unknown> = {}): OpenAIChatRequest => ({ model: 'claude', messages: [user('Hi')], ...extra }) as OpenAIChatRequest;
const wire = (body: OpenAIChatRequest) => openaiToBedrock('bedrock').request(body, ctx);
const wireBody = (body: OpenAIChatRequest) => wire(body).body as Record<string, unknown>;

function rejected(body: OpenAIChatRequest): GatewayError {
  try {
    wire(body);
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error('expected the request to be rejected');
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city.',
    parameters: { additionalProperties: false, properties: { city: { type: 'string' } }, required: ['city'], type: 'object' },
  },
};

describe('openaiToBedrock request', () => {
  test('builds the recorded Converse requests of the tool_choice=auto cassette (both turns)', () => {
    const [first, second] = cassette('pydantic-ai_test_tool_choice_matrix_test_tool_choice_matrix__auto-bedrock.yaml');
    const turn1 = wire(req({ messages: [user("What's the weather in Paris?")], tools: [weatherTool], tool_choice: 'auto' }));
    expect(turn1.op).toBe('chat');
    expect(turn1.stream).toBe(false);
    expect(first!.requestBody).toMatchObject(turn1.body as object);

    const turn2 = wireBody(req({
      messages: [
        user("What's the weather in Paris?"),
        { role: 'assistant', content: null, tool_calls: [{ id: 'tooluse_XjTErzm6TpyMMpDviNVY3g', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'tooluse_XjTErzm6TpyMMpDviNVY3g', content: 'Sunny, 22C in Paris' },
      ],
      tools: [weatherTool],
      tool_choice: 'auto',
    }));
    // The recording also carries `status: "success"`, which OpenAI tool messages cannot express.
    expect(second!.requestBody).toMatchObject(turn2);
    expect((second!.requestBody as { messages: unknown[] }).messages).toHaveLength(3);
  });

  test('hoists system and developer messages and maps sampling parameters', () => {
    const body = wireBody(req({
      messages: [{ role: 'system', content: 'You are terse.' }, { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] }, user('Hello')],
      max_tokens: 50,
      max_completion_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      stop: 'END',
      stream: true,
    }));
    expect(body).toEqual({
      system: [{ text: 'You are terse.' }, { text: 'Answer in French.' }],
      messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      inferenceConfig: { maxTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
    });
    expect(wire(req({ stream: true })).stream).toBe(true);
  });

  test('groups consecutive tool results into one user turn and merges the following user text', () => {
    const body = wireBody(req({
      messages: [
        user('Weather in Paris and London?'),
        {
          role: 'assistant',
          content: 'Checking both.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '22C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '18' }, { type: 'text', text: 'C' }] },
        user('Thanks. Which is warmer?'),
      ],
      tools: [weatherTool],
    }));
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'Weather in Paris and London?' }] },
      {
        role: 'assistant',
        content: [
          { text: 'Checking both.' },
          { toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { city: 'Paris' } } },
          { toolUse: { toolUseId: 'call_2', name: 'get_weather', input: {} } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'call_1', content: [{ text: '22C' }] } },
          { toolResult: { toolUseId: 'call_2', content: [{ text: '18C' }] } },
          { text: 'Thanks. Which is warmer?' },
        ],
      },
    ]);
    // No tool_choice given: Converse's default (auto) applies.
    expect(body.toolConfig).toEqual({ tools: [{ toolSpec: { name: 'get_weather', description: 'Get the current weather for a city.', inputSchema: { json: weatherTool.function.parameters } } }] });
  });

  test('inline images become image blocks; links are refused, never fetched', () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const body = wireBody(req({ messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } }] }] }));
    expect(body.messages).toEqual([{ role: 'user', content: [{ text: 'What is this?' }, { image: { format: 'png', source: { bytes: png } } }] }]);
    const jpeg = wireBody(req({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpg;base64,/9j/4AAQ', detail: 'auto' } }] }] }));
    expect(jpeg.messages).toEqual([{ role: 'user', content: [{ image: { format: 'jpeg', source: { bytes: '/9j/4AAQ' } } }] }]);

    const link = rejected(req({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }));
    expect([link.kind, link.param]).toEqual(['invalid_request', 'messages[0].content[1].image_url.url']);
    expect(rejected(req({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }] }] })).param).toBe('messages[0].content[0].image_url.url');
    // detail is a hint Converse has no knob for: dropped and named, not refused.
    const detailed = wire(req({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${png}`, detail: 'high' } }] }] }));
    expect([detailed.dropped, (detailed.body as { messages: unknown }).messages]).toEqual([['image_url.detail'], [{ role: 'user', content: [{ image: { format: 'png', source: { bytes: png } } }] }]]);
    expect(rejected(req({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] })).param).toBe('messages[0].content[0]');
  });

  test('tool_choice maps to auto / any / tool', () => {
    const choice = (tool_choice: OpenAIChatRequest['tool_choice']) => (wireBody(req({ tools: [weatherTool], tool_choice })).toolConfig as { toolChoice?: unknown }).toolChoice;
    expect(choice('auto')).toEqual({ auto: {} });
    expect(choice('required')).toEqual({ any: {} });
    expect(choice({ type: 'function', function: { name: 'get_weather' } })).toEqual({ tool: { name: 'get_weather' } });
    expect(rejected(req({ tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'nope' } } })).param).toBe('tool_choice');
    expect(rejected(req({ tool_choice: 'required' })).param).toBe('tool_choice');
  });

  test("tool_choice 'none' omits the tools, or is refused once tool calls are in the history", () => {
    expect(wireBody(req({ tools: [weatherTool], tool_choice: 'none' })).toolConfig).toBeUndefined();
    const withHistory = req({
      messages: [
        user('Weather?'),
        { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
      tools: [weatherTool],
      tool_choice: 'none',
    });
    expect(rejected(withHistory).param).toBe('tool_choice');
  });

  test('strict tools and json_schema response_format use the Converse fields from the service model', () => {
    const body = wireBody(req({
      tools: [{ type: 'function', function: { ...weatherTool.function, strict: true } }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', description: 'The answer', schema: { type: 'object', properties: { ok: { type: 'boolean' } } } } },
      reasoning_effort: 'high',
    }));
    expect((body.toolConfig as { tools: { toolSpec: { strict?: boolean } }[] }).tools[0]!.toolSpec.strict).toBe(true);
    expect(body.outputConfig).toEqual({
      textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: '{"type":"object","properties":{"ok":{"type":"boolean"}}}', name: 'answer', description: 'The answer' } } },
      effort: 'high',
    });
    expect(rejected(req({ response_format: { type: 'json_schema', json_schema: { name: 'x' } } })).param).toBe('response_format.json_schema.schema');
    expect(rejected(req({ reasoning_effort: 'minimal' })).param).toBe('reasoning_effort');
    expect(wireBody(req({ response_format: { type: 'text' } })).outputConfig).toBeUndefined();
  });

  test('user and metadata become requestMetadata (log tags only)', () => {
    expect(wireBody(req({ user: 'user-42', metadata: { team: 'search' } })).requestMetadata).toEqual({ team: 'search', user: 'user-42' });
    // Characters Converse refuses become '_' (a JSON user id, as Claude Code sends, tags the call).
    expect(wireBody(req({ user: 'bob<script>' })).requestMetadata).toEqual({ user: 'bob_script_' });
    expect(wireBody(req({ user: '{"device_id":"d1","session_id":"s-2"}' })).requestMetadata).toEqual({ user: '__device_id_:_d1_,_session_id_:_s-2__' });
    expect(wireBody(req({ metadata: { 'bad"key': 'x'.repeat(300) } })).requestMetadata).toEqual({ bad_key: 'x'.repeat(256) });
    expect(rejected(req({ user: 'a', metadata: { user: 'b' } })).param).toBe('user');
  });

  test('rejects, by name, every parameter Converse cannot express', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ seed: 7 }, 'seed'],
      [{ n: 2 }, 'n'],
      [{ logprobs: true }, 'logprobs'],
      [{ top_logprobs: 3 }, 'top_logprobs'],
      [{ presence_penalty: 0.5 }, 'presence_penalty'],
      [{ frequency_penalty: -1 }, 'frequency_penalty'],
      [{ temperature: 1.5 }, 'temperature'],
      [{ prediction: { type: 'content', content: 'x' } }, 'prediction'],
      [{ messages: [{ role: 'user', content: 'Hi', name: 'bob' }] }, 'messages[0].name'],
      [{ messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role'],
      [{ messages: [user('x'), { role: 'assistant', content: 'y', audio: { id: 'a1' } }] }, 'messages[1].audio'],
      [{ messages: [user('x'), { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }, 'messages[1].tool_calls[0].function.arguments'],
    ];
    for (const [extra, param] of cases) {
      const e = rejected(req(extra));
      expect([e.kind, e.status, e.param]).toEqual(['invalid_request', 400, param]);
    }
  });

  test('defaults and nulls are accepted and leave no trace', () => {
    const body = wireBody(req({ n: 1, seed: null, logprobs: false, top_logprobs: null, presence_penalty: 0, frequency_penalty: null, parallel_tool_calls: true, stream_options: null, temperature: null }));
    expect(body).toEqual({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
  });

  test("an assistant's echoed reasoning_content is not replayed", () => {
    const body = wireBody(req({ messages: [user('Hi'), { role: 'assistant', content: 'Hello!', reasoning_content: 'The user greets me.' }, user('Bye')] }));
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'Hi' }] },
      { role: 'assistant', content: [{ text: 'Hello!' }] },
      { role: 'user', content: [{ text: 'Bye' }] },
    ]);
  });
});

/** Checks a value against a shape of the botocore service model: no invented or missing fields. */
function conformance(shape: string, value: unknown, path = '$'): string[] {
  const s = model.shapes[shape];
  if (!s) return [`${path}: unknown shape ${shape}`];
  switch (s.type) {
    case 'structure': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected ${shape} object`];
      const o = value as Record<string, unknown>;
      const errs = (s.required ?? []).filter((k) => !(k in o)).map((k) => `${path}.${k}: required by ${shape}`);
      if (s.document) return errs;
      for (const [k, v] of Object.entries(o)) {
        const m = s.members?.[k];
        if (!m) errs.push(`${path}.${k}: not a member of ${shape}`);
        else errs.push(...conformance(m.shape, v, `${path}.${k}`));
      }
      if (s.union && Object.keys(o).length !== 1) errs.push(`${path}: union ${shape} must set exactly one member`);
      return errs;
    }
    case 'list':
      return Array.isArray(value) ? value.flatMap((v, i) => conformance(s.member!.shape, v, `${path}[${i}]`)) : [`${path}: expected list`];
    case 'map':
      return value && typeof value === 'object' ? Object.values(value).flatMap((v) => conformance(s.value!.shape, v, path)) : [`${path}: expected map`];
    case 'string':
      if (typeof value !== 'string') return [`${path}: expected string`];
      return s.enum && !s.enum.includes(value) ? [`${path}: '${value}' not in ${shape}`] : [];
    case 'blob':
      return typeof value === 'string' ? [] : [`${path}: expected base64 string`];
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return typeof value === 'number' ? [] : [`${path}: expected number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected boolean`];
    default:
      return [];
  }
}

interface ShapeDef {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  union?: boolean;
  document?: boolean;
}
const model = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/specs/bedrock-runtime-2023-09-30.service-2.json', import.meta.url), 'utf8'),
) as { shapes: Record<string, ShapeDef> };

describe('openaiToBedrock request against the Bedrock Runtime service model', () => {
  test('a request using every mapped feature conforms to ConverseRequest / ConverseStreamRequest', () => {
    const body = req({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url', image_url: { url: 'data:image/webp;base64,UklGRg==' } }] },
        { role: 'assistant', content: 'Calling.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { ...weatherTool.function, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      max_tokens: 10,
      temperature: 0.5,
      top_p: 0.5,
      stop: ['x', 'y'],
      response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' } } },
      reasoning_effort: 'low',
      user: 'u1',
      metadata: { k: 'v' },
    });
    // modelId is bound to the URL path (`location: uri`), so it is added back for the check.
    expect(conformance('ConverseRequest', { modelId: ctx.model, ...wireBody(body) })).toEqual([]);
    expect(conformance('ConverseStreamRequest', { modelId: ctx.model, ...wireBody({ ...body, stream: true }) })).toEqual([]);
    // The checker itself catches invented fields.
    expect(conformance('ConverseRequest', { modelId: 'm', messages: [], inferenceConfig: { max_tokens: 1 } })).toEqual(['$.inferenceConfig.max_tokens: not a member of InferenceConfiguration']);
  });
});

describe('Converse: hints, top_k, json_object and parallel_tool_calls', () => {
  const claude = (body: OpenAIChatRequest) => openaiToBedrock('bedrock').request(body, ctx);
  const nova = (body: OpenAIChatRequest) => openaiToBedrock('bedrock').request(body, { ...ctx, model: 'us.amazon.nova-pro-v1:0' });

  test("top_k goes in the family's additionalModelRequestFields; service_tier is a dropped hint", () => {
    expect((claude(req({ top_k: 40 })).body as Record<string, unknown>).additionalModelRequestFields).toEqual({ top_k: 40 });
    expect((nova(req({ top_k: 40 })).body as Record<string, unknown>).additionalModelRequestFields).toEqual({ inferenceConfig: { topK: 40 } });
    const tiered = claude(req({ service_tier: 'flex' }));
    expect([tiered.dropped, (tiered.body as Record<string, unknown>).service_tier]).toEqual([['service_tier'], undefined]);
    expect(claude(req({ service_tier: 'auto' })).dropped).toBeUndefined();
    expect(() => openaiToBedrock('bedrock').request(req({ top_k: 5 }), { ...ctx, model: 'meta.llama3-70b-instruct-v1:0' })).toThrow('Parameter top_k is not supported');
  });

  test('echoed assistant keys (provider_specific_fields, function_call: null) are tolerated', () => {
    const body = claude(req({ messages: [user('a'), { role: 'assistant', content: 'b', provider_specific_fields: { refusal: null }, function_call: null }, user('c')] } as Record<string, unknown>)).body as { messages: unknown[] };
    expect(body.messages).toHaveLength(3);
  });

  test('response_format json_object rides on a forced tool whose input is the answer', () => {
    const call = claude(req({ response_format: { type: 'json_object' } }));
    expect((call.body as Record<string, unknown>).toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'json_object', description: 'Give your complete answer as a JSON object, as the input of this tool.', inputSchema: { json: { type: 'object' } } } }],
      toolChoice: { tool: { name: 'json_object' } },
    });
    const withTools = claude(req({ tools: [weatherTool], response_format: { type: 'json_object' } })).body as { toolConfig: { tools: unknown[]; toolChoice: unknown } };
    expect([withTools.toolConfig.tools.length, withTools.toolConfig.toolChoice]).toEqual([2, { any: {} }]);

    const t = openaiToBedrock('bedrock');
    t.request(req({ response_format: { type: 'json_object' } }), ctx);
    const out = t.response({ output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'json_object', input: { ok: true } } }] } }, stopReason: 'tool_use', usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } }) as { choices: { message: Record<string, unknown>; finish_reason: string }[] };
    expect([out.choices[0]!.message.content, out.choices[0]!.message.tool_calls, out.choices[0]!.finish_reason]).toEqual(['{"ok":true}', undefined, 'stop']);

    const s = openaiToBedrock('bedrock');
    s.request(req({ response_format: { type: 'json_object' }, stream: true }), ctx);
    const events = [
      { event: 'messageStart', data: { role: 'assistant' } },
      { event: 'contentBlockStart', data: { contentBlockIndex: 0, start: { toolUse: { toolUseId: 't1', name: 'json_object' } } } },
      { event: 'contentBlockDelta', data: { contentBlockIndex: 0, delta: { toolUse: { input: '{"ok":' } } } },
      { event: 'contentBlockDelta', data: { contentBlockIndex: 0, delta: { toolUse: { input: 'true}' } } } },
      { event: 'contentBlockStop', data: { contentBlockIndex: 0 } },
      { event: 'messageStop', data: { stopReason: 'tool_use' } },
    ].flatMap((e) => s.streamEvent(e));
    const deltas = events.map((e) => (e.data as { choices: { delta: Record<string, unknown>; finish_reason: string | null }[] }).choices[0]!);
    expect(deltas.map((d) => d.delta.content ?? '').join('')).toBe('{"ok":true}');
    expect(deltas.some((d) => d.delta.tool_calls)).toBe(false);
    expect(deltas.at(-1)!.finish_reason).toBe('stop');
  });

  test('parallel_tool_calls false returns the first tool call only (JSON and stream)', () => {
    const tools = [weatherTool, { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object' } } }];
    const two = [{ toolUse: { toolUseId: 'a', name: 'get_weather', input: { city: 'Paris' } } }, { toolUse: { toolUseId: 'b', name: 'get_time', input: {} } }];
    const answer = (parallel: boolean) => {
      const t = openaiToBedrock('bedrock');
      t.request(req({ tools, ...(parallel ? {} : { parallel_tool_calls: false }) }), ctx);
      return (t.response({ output: { message: { role: 'assistant', content: two } }, stopReason: 'tool_use', usage: {} }) as { choices: { message: { tool_calls: { id: string }[] } }[] }).choices[0]!.message.tool_calls.map((c) => c.id);
    };
    expect([answer(false), answer(true)]).toEqual([['a'], ['a', 'b']]);

    const s = openaiToBedrock('bedrock');
    s.request(req({ tools, parallel_tool_calls: false, stream: true }), ctx);
    const events = [
      { event: 'contentBlockStart', data: { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'a', name: 'get_weather' } } } },
      { event: 'contentBlockDelta', data: { contentBlockIndex: 0, delta: { toolUse: { input: '{}' } } } },
      { event: 'contentBlockStop', data: { contentBlockIndex: 0 } },
      { event: 'contentBlockStart', data: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'b', name: 'get_time' } } } },
      { event: 'contentBlockDelta', data: { contentBlockIndex: 1, delta: { toolUse: { input: '{}' } } } },
      { event: 'contentBlockStop', data: { contentBlockIndex: 1 } },
      { event: 'messageStop', data: { stopReason: 'tool_use' } },
    ].flatMap((e) => s.streamEvent(e));
    const ids = events.flatMap((e) => ((e.data as { choices: { delta: { tool_calls?: { id?: string }[] } }[] }).choices[0]?.delta.tool_calls ?? []).flatMap((c) => (c.id ? [c.id] : [])));
    expect(ids).toEqual(['a']);
  });
});

describe('cache_control markers on parts and tools (the OpenAI-side convention)', () => {
  const marked = req({
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'Long system prompt', cache_control: { type: 'ephemeral' } }] },
      { role: 'user', content: [{ type: 'text', text: 'Q', cache_control: { type: 'ephemeral' } }] },
    ],
    tools: [{ ...weatherTool, cache_control: { type: 'ephemeral' } }],
  } as Record<string, unknown>);

  test('become cachePoint blocks for Claude and Nova', () => {
    const call = openaiToBedrock('bedrock').request(marked, ctx);
    const body = call.body as { system: unknown[]; messages: { content: unknown[] }[]; toolConfig: { tools: unknown[] } };
    expect(body.system).toEqual([{ text: 'Long system prompt' }, { cachePoint: { type: 'default' } }]);
    expect(body.messages[0]!.content).toEqual([{ text: 'Q' }, { cachePoint: { type: 'default' } }]);
    expect(body.toolConfig.tools[1]).toEqual({ cachePoint: { type: 'default' } });
    expect(call.dropped).toBeUndefined();
  });

  test('are dropped hints for models without prompt caching', () => {
    const call = openaiToBedrock('bedrock').request(marked, { ...ctx, model: 'meta.llama3-70b-instruct-v1:0' });
    expect(JSON.stringify(call.body)).not.toContain('cachePoint');
    expect(call.dropped).toEqual(['cache_control']);
  });
});
