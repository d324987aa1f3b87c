import { describe, expect, test } from 'bun:test';
import Anthropic from '@anthropic-ai/sdk';
import { GatewayError } from '../../lib/errors.ts';
import type { AnthropicMessagesRequest } from '../../wire/anthropic.ts';
import { chunkEvents, openaiChatCompletions, openaiChatStreams, sseResponse } from '../../../test/support/recorded.ts';
import { viaOpenAI } from '../compose.ts';
import { DONE, type AnthropicChatTranslator, type StreamEvent } from '../types.ts';
import { anthropicToOpenAI } from './anthropic-openai.ts';
import { openaiToOpenAI } from './openai-openai.ts';

type Json = Record<string, unknown>;
const ctx = { model: 'gpt-upstream', publicModel: 'claude-public', clientHeaders: new Headers() };
const base: AnthropicMessagesRequest = { model: 'claude-public', max_tokens: 256, messages: [{ role: 'user', content: 'Hi' }] };

function translator(body: Partial<AnthropicMessagesRequest> = {}): AnthropicChatTranslator {
  const t = anthropicToOpenAI('openai');
  t.request({ ...base, ...body }, ctx);
  return t;
}
const reqBody = (body: Partial<AnthropicMessagesRequest>) => anthropicToOpenAI('openai').request({ ...base, ...body } as AnthropicMessagesRequest, ctx).body as Json;

function rejects(body: Json, param: string) {
  let err: unknown;
  try {
    reqBody(body as Partial<AnthropicMessagesRequest>);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(GatewayError);
  expect((err as GatewayError).param).toBe(param);
  expect((err as GatewayError).status).toBe(400);
}

describe('anthropic → openai request', () => {
  test('system, text, images, tool use and tool results', () => {
    const b = reqBody({
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'Use French.' }],
      messages: [
        { role: 'user', content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ] },
        { role: 'assistant', content: [
          { type: 'thinking', thinking: 'Let me look.', signature: 'sig' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'cat' } },
          { type: 'tool_use', id: 'toolu_2', name: 'lookup', input: { q: 'dog' } },
        ] },
        { role: 'user', content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'A cat' }, { type: 'text', text: 'grey' }] },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'not found', is_error: true },
          { type: 'text', text: 'And now?', cache_control: { type: 'ephemeral' } },
        ] },
      ],
    });
    expect(b.model).toBe('gpt-upstream');
    expect(b.messages).toEqual([
      { role: 'system', content: 'Be brief.\nUse French.' },
      { role: 'user', content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
      ] },
      { role: 'assistant', content: 'Checking.', tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } },
        { id: 'toolu_2', type: 'function', function: { name: 'lookup', arguments: '{"q":"dog"}' } },
      ] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'A cat\ngrey' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: not found' },
      { role: 'user', content: 'And now?' },
    ]);
    expect(b.max_tokens).toBe(256);
  });

  test('tools, tool_choice, sampling, stop, user; streams always ask for usage', () => {
    const tools = [{ name: 'lookup', description: 'Look up', input_schema: { type: 'object', properties: { q: { type: 'string' } } }, cache_control: { type: 'ephemeral' as const } }];
    const b = reqBody({ tools, tool_choice: { type: 'any', disable_parallel_tool_use: true }, temperature: 0.3, top_p: 0.8, stop_sequences: ['END'], metadata: { user_id: 'u-9' }, stream: true });
    expect(b).toMatchObject({
      tools: [{ type: 'function', function: { name: 'lookup', description: 'Look up', parameters: tools[0]!.input_schema } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      temperature: 0.3,
      top_p: 0.8,
      stop: ['END'],
      user: 'u-9',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(reqBody({ tools, tool_choice: { type: 'tool', name: 'lookup' } }).tool_choice).toEqual({ type: 'function', function: { name: 'lookup' } });
    expect(reqBody({ tools, tool_choice: { type: 'auto' } }).tool_choice).toBe('auto');
    expect(reqBody({ tools, tool_choice: { type: 'none' } }).tool_choice).toBe('none');
    expect(reqBody({ tool_choice: { type: 'auto' } }).tool_choice).toBeUndefined();
    expect(reqBody({ thinking: { type: 'disabled' } }).thinking).toBeUndefined();
  });

  test('what the OpenAI wire cannot express is a 400 naming it', () => {
    rejects({ output_config: { format: { type: 'xml' } } }, 'output_config.format');
    rejects({ output_config: { verbosity: 'low' } }, 'output_config.verbosity');
    rejects({ container: 'c1' }, 'container');
    rejects({ metadata: { user_id: 'u', tier: 'x' } }, 'metadata.tier');
    rejects({ tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'tools[0].type');
    rejects({ tools: [{ name: 'f', input_schema: {}, defer_loading: true }] }, 'tools[0].defer_loading');
    rejects({ stop_sequences: ['a', 'b', 'c', 'd', 'e'] }, 'stop_sequences');
    rejects({ messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }] }] }, 'messages[0].content[0].type');
    rejects({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'url', url: 'https://x/y.pdf' } }] }] }, 'messages[0].content[0].source');
  });
});

/** OpenAI content as text: a string, or the `text` parts of an array (Mistral also sends `thinking` parts). */
function textParts(c: unknown): string {
  if (typeof c === 'string') return c;
  return Array.isArray(c) ? c.filter((p: Json) => p.type === 'text').map((p: Json) => p.text as string).join('') : '';
}

/** Independent reading of an OpenAI stream: what the recording says was answered. */
function reduceOpenAI(events: StreamEvent[]) {
  let text = '';
  let finish: string | undefined;
  let usage: Json | undefined;
  let error = false;
  const calls: { id?: string; name?: string; args: string }[] = [];
  for (const e of events) {
    if (e.data === DONE) continue;
    const d = e.data as Json;
    if (d.error) error = true;
    if (d.usage) usage = d.usage as Json;
    const choice = ((d.choices as Json[] | undefined) ?? []).find((c) => ((c.index as number | undefined) ?? 0) === 0);
    if (!choice) continue;
    const delta = (choice.delta ?? {}) as Json;
    text += textParts(delta.content);
    if (typeof delta.refusal === 'string') text += delta.refusal;
    for (const tc of (delta.tool_calls as Json[] | undefined) ?? []) {
      const call = (calls[(tc.index as number | undefined) ?? 0] ??= { args: '' });
      const fn = (tc.function ?? {}) as Json;
      if (tc.id && !call.id) call.id = tc.id as string;
      if (fn.name && !call.name) call.name = fn.name as string;
      call.args += (fn.arguments as string | undefined) ?? '';
    }
    if (choice.finish_reason) finish = choice.finish_reason as string;
  }
  return { text, finish, usage, error, calls: calls.filter(Boolean) };
}

const STOP: Record<string, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' };

function expectedUsage(u: Json | undefined) {
  const prompt = (u?.prompt_tokens as number | undefined) ?? 0;
  const cached = ((u?.prompt_tokens_details as Json | undefined)?.cached_tokens as number | undefined) ?? 0;
  return { input_tokens: prompt - cached, output_tokens: (u?.completion_tokens as number | undefined) ?? 0, ...(cached ? { cache_read_input_tokens: cached } : {}) };
}

describe('anthropic → openai response (every recorded OpenAI-wire completion)', () => {
  const completions = openaiChatCompletions();
  test('there are recordings to check', () => expect(completions.length).toBeGreaterThan(40));
  for (const { name, completion } of completions) {
    test(name, () => {
      const choice = (completion.choices as Json[])[0]!;
      const message = choice.message as Json;
      const r = translator().response(completion) as Json;
      expect(r).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-public', id: expect.stringMatching(/^msg_/) });
      const content = r.content as Json[];
      const text = textParts(message.content);
      expect(content.filter((b) => b.type === 'text').map((b) => b.text).join('')).toBe(text + ((message.refusal as string | null) ?? ''));
      const calls = (message.tool_calls as Json[] | undefined) ?? [];
      expect(content.filter((b) => b.type === 'tool_use').map((b) => [b.id, b.name, b.input])).toEqual(
        calls.map((c) => [c.id, (c.function as Json).name, JSON.parse(((c.function as Json).arguments as string) || '{}')]),
      );
      expect(r.stop_reason).toBe(STOP[choice.finish_reason as string] ?? 'end_turn');
      expect(r.usage).toEqual(expectedUsage(completion.usage as Json));
    });
  }
});

describe('anthropic → openai stream (every recorded OpenAI-wire stream)', async () => {
  const streams = await openaiChatStreams();
  test('there are recordings to check', () => expect(streams.length).toBeGreaterThan(25));
  for (const s of streams) {
    test(s.name, async () => {
      const expected = reduceOpenAI(s.events);
      const t = translator({ stream: true });
      const run = () => {
        const out = s.events.flatMap((e) => t.streamEvent(e));
        return [...out, ...t.streamEnd()];
      };
      if (expected.error) {
        expect(run).toThrow(expect.objectContaining({ kind: 'upstream_error' }));
        return;
      }
      if (!expected.finish) {
        expect(run).toThrow(expect.objectContaining({ kind: 'upstream_invalid' }));
        return;
      }
      const events = run();
      for (const e of events) expect(e.event).toBe((e.data as Json).type as string);
      expect(events[0]!.event).toBe('message_start');
      expect(events.slice(-2).map((e) => e.event)).toEqual(['message_delta', 'message_stop']);

      // The official SDK checks the event order and rebuilds the message.
      const client = new Anthropic({ apiKey: 'x', baseURL: 'http://gateway.test', maxRetries: 0, fetch: async () => sseResponse(events) });
      const final = await client.messages.stream({ model: 'claude-public', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
      expect(final.model).toBe('claude-public');
      expect(final.content.filter((b) => b.type === 'text').map((b) => b.text).join('')).toBe(expected.text);
      const tools = final.content.filter((b) => b.type === 'tool_use');
      expect(tools.map((b) => [b.name, b.input])).toEqual(expected.calls.map((c) => [c.name, JSON.parse(c.args || '{}')]));
      tools.forEach((b, i) => expect(b.id).toBe(expected.calls[i]!.id ?? b.id));
      expect(final.stop_reason).toBe((STOP[expected.finish] ?? 'end_turn') as Anthropic.StopReason);
      expect(final.usage).toMatchObject(expectedUsage(expected.usage));
    });
  }

  test('closing events wait for [DONE] because usage follows the finish_reason', () => {
    const events = chunkEvents('openai', 'vercel-ai_openai_chat_openai-text.chunks.txt');
    const t = translator({ stream: true });
    const out = events.flatMap((e) => t.streamEvent(e));
    expect(out.some((e) => e.event === 'message_delta')).toBe(false);
    const closing = t.streamEvent({ data: DONE });
    expect(closing.map((e) => e.event)).toEqual(['message_delta', 'message_stop']);
    expect((closing[0]!.data as Json).usage).toEqual({ input_tokens: 16, output_tokens: 300 });
    expect(t.streamEnd()).toEqual([]);
    expect(t.usage()).toMatchObject({ input_tokens: 16, output_tokens: 300 });
  });

  test('a text block is closed before a tool block opens; each tool call gets its own block', () => {
    const t = translator({ stream: true });
    const chunk = (delta: Json, finish: string | null = null) => ({ data: { choices: [{ index: 0, delta, finish_reason: finish }] } });
    const out = [
      chunk({ role: 'assistant', content: 'Let me check.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
    ].flatMap((e) => t.streamEvent(e));
    out.push(...t.streamEnd());
    expect(out.map((e) => `${e.event}:${(e.data as Json).index ?? ''}`)).toEqual([
      'message_start:', 'content_block_start:0', 'content_block_delta:0', 'content_block_stop:0',
      'content_block_start:1', 'content_block_delta:1', 'content_block_delta:1', 'content_block_stop:1',
      'content_block_start:2', 'content_block_delta:2', 'content_block_stop:2', 'message_delta:', 'message_stop:',
    ]);
    expect((out.at(-2)!.data as Json).delta).toEqual({ stop_reason: 'tool_use', stop_sequence: null });
    const resumed = translator({ stream: true });
    resumed.streamEvent(chunk({ tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '' } }] }));
    resumed.streamEvent(chunk({ tool_calls: [{ index: 1, id: 'b', function: { name: 'g', arguments: '' } }] }));
    expect(() => resumed.streamEvent(chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }))).toThrow(expect.objectContaining({ kind: 'upstream_invalid' }));
  });

  test('composed in front of another OpenAI-chunk translator it gives the same events', () => {
    const events = chunkEvents('groq', 'vercel-ai_groq_groq-tool-call.chunks.txt');
    const direct = translator({ stream: true });
    const a = [...events.flatMap((e) => direct.streamEvent(e)), ...direct.streamEnd()];
    const composed = viaOpenAI(anthropicToOpenAI('openai'), openaiToOpenAI('openai'));
    const call = composed.request({ ...base, stream: true }, ctx);
    expect(call.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const b = [...events.flatMap((e) => composed.streamEvent(e)), ...composed.streamEnd()];
    const shape = (es: StreamEvent[]) => es.map((e) => ({ ...(e.data as Json), message: undefined, id: undefined }));
    expect(shape(b)).toEqual(shape(a));
    expect(composed.usage()).toMatchObject({ input_tokens: 210, output_tokens: 15 });
  });

  test('a vLLM-style stop_reason naming a stop sequence becomes stop_sequence', () => {
    const t = translator({ stop_sequences: ['END'] });
    const r = t.response({ choices: [{ index: 0, message: { role: 'assistant', content: 'done' }, finish_reason: 'stop', stop_reason: 'END' }], usage: { prompt_tokens: 3, completion_tokens: 1 } }) as Json;
    expect(r).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });
});

describe("Claude Code's default fields on the OpenAI wire", () => {
  const call = (body: Json) => anthropicToOpenAI('openai').request({ ...base, ...body } as AnthropicMessagesRequest, ctx);

  test('thinking budgets and output_config.effort become reasoning_effort (effort wins)', () => {
    expect(reqBody({ thinking: { type: 'enabled', budget_tokens: 1024 } }).reasoning_effort).toBe('low');
    expect(reqBody({ thinking: { type: 'enabled', budget_tokens: 8192 } }).reasoning_effort).toBe('medium');
    expect(reqBody({ thinking: { type: 'enabled', budget_tokens: 31999 } }).reasoning_effort).toBe('high');
    expect(call({ thinking: { type: 'enabled', budget_tokens: 31999 }, output_config: { effort: 'low' } }).body).toMatchObject({ reasoning_effort: 'low' });
    expect(call({ thinking: { type: 'adaptive' }, output_config: { effort: 'medium' } }).body).toMatchObject({ reasoning_effort: 'medium' });
    expect(reqBody({ thinking: { type: 'adaptive' } }).reasoning_effort).toBeUndefined();
    expect(reqBody({ thinking: { type: 'enabled', budget_tokens: 2048 } }).thinking).toBeUndefined();
  });

  test('output_config.format json_schema becomes a strict response_format', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false };
    expect(reqBody({ output_config: { format: { type: 'json_schema', schema } } }).response_format).toEqual({ type: 'json_schema', json_schema: { name: 'output', schema, strict: true } });
  });

  test('system turns inside messages stay in place as system messages', () => {
    const b = reqBody({ system: 'Top.', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'system', content: [{ type: 'text', text: 'Now terse.' }] }, { role: 'user', content: 'c' }] } as Json);
    expect(b.messages).toEqual([
      { role: 'system', content: 'Top.' },
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'system', content: 'Now terse.' },
      { role: 'user', content: 'c' },
    ]);
  });

  test('hints are dropped and named; top_k and service_tier are mapped', () => {
    const c = call({
      cache_control: { type: 'ephemeral' },
      context_management: { edits: [{ type: 'clear_thinking_20251015' }] },
      service_tier: 'standard_only',
      top_k: 40,
      tools: [{ name: 'Read', input_schema: { type: 'object' }, eager_input_streaming: true }],
    });
    expect(c.dropped).toEqual(['cache_control', 'context_management', 'tools.eager_input_streaming']);
    expect(c.body).toMatchObject({ service_tier: 'default', top_k: 40 });
    const fn = ((c.body as Json).tools as Json[])[0]!.function as Json;
    expect(fn.eager_input_streaming).toBeUndefined();
    expect(call({}).dropped).toBeUndefined();
    // A cache marker on a block is a hint too.
    expect(call({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] }] }).dropped).toEqual(['cache_control']);
  });
});

test("a translated stream's message_start carries the gateway's input estimate; message_delta the real count", () => {
  const t = anthropicToOpenAI('openai');
  t.request({ ...base, stream: true }, { ...ctx, inputTokens: 42 });
  const chunk = (extra: Json) => ({ data: { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', ...extra } });
  const out = [
    ...t.streamEvent(chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] })),
    ...t.streamEvent(chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })),
    ...t.streamEvent(chunk({ choices: [], usage: { prompt_tokens: 40, completion_tokens: 3, total_tokens: 43 } })),
    ...t.streamEvent({ data: DONE }),
  ].map((e) => e.data as Json);
  expect((out[0]!.message as Json).usage).toEqual({ input_tokens: 42, output_tokens: 0 });
  expect(out.find((e) => e.type === 'message_delta')!.usage).toEqual({ input_tokens: 40, output_tokens: 3 });
});

test('with cacheMarkers (the Bedrock path) cache_control stays on parts, tool results and tools, and is not reported', () => {
  const body = {
    ...base,
    system: [{ type: 'text', text: 'S', cache_control: { type: 'ephemeral' } }],
    messages: [
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'file', cache_control: { type: 'ephemeral' } }] },
    ],
    tools: [{ name: 'Read', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }],
  } as AnthropicMessagesRequest;
  const kept = anthropicToOpenAI('bedrock', { cacheMarkers: true }).request(body, ctx);
  const b = kept.body as { messages: Json[]; tools: Json[] };
  expect(b.messages[0]).toEqual({ role: 'system', content: [{ type: 'text', text: 'S', cache_control: { type: 'ephemeral' } }] });
  expect(b.messages[2]).toEqual({ role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: 'file', cache_control: { type: 'ephemeral' } }] });
  expect(b.tools[0]!.cache_control).toEqual({ type: 'ephemeral' });
  expect(kept.dropped).toBeUndefined();
  const plain = anthropicToOpenAI('openai').request(body, ctx);
  expect(JSON.stringify(plain.body)).not.toContain('cache_control');
  expect(plain.dropped).toEqual(['cache_control']);
});
