import { describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { DONE, type OpenAIChatTranslator, type StreamEvent } from '../types.ts';
import { openaiToAnthropic } from './openai-anthropic.ts';
import { anthropicErrors, anthropicMessages, anthropicStreams, chunkEvents, reduceAnthropicStream, sseResponse } from '../../../test/support/recorded.ts';

type Json = Record<string, unknown>;
const ctx = { model: 'claude-upstream', publicModel: 'claude-public', clientHeaders: new Headers() };
const hi = [{ role: 'user' as const, content: 'Hi' }];

function translator(body: Partial<OpenAIChatRequest> = {}): OpenAIChatTranslator {
  const t = openaiToAnthropic('anthropic');
  t.request({ model: 'claude-public', messages: hi, ...body } as OpenAIChatRequest, ctx);
  return t;
}

function run(t: OpenAIChatTranslator, events: StreamEvent[]): Json[] {
  const out = events.flatMap((e) => t.streamEvent(e));
  const end = t.streamEnd();
  expect(end.at(-1)!.data).toBe(DONE);
  return [...out, ...end.slice(0, -1)].map((e) => e.data as Json);
}

/** Rebuilds what an OpenAI client sees from the chunks. */
function reassemble(chunks: Json[]) {
  let content = '';
  let reasoning = '';
  let finish: unknown = null;
  let usage: Json | undefined;
  const calls: { id?: string; name?: string; args: string }[] = [];
  for (const c of chunks) {
    if (c.usage) usage = c.usage as Json;
    for (const choice of c.choices as Json[]) {
      const d = choice.delta as Json;
      content += (d.content as string | undefined) ?? '';
      reasoning += (d.reasoning_content as string | undefined) ?? '';
      for (const tc of (d.tool_calls as Json[] | undefined) ?? []) {
        const call = (calls[tc.index as number] ??= { args: '' });
        const fn = tc.function as Json;
        if (tc.id) call.id = tc.id as string;
        if (fn.name) call.name = fn.name as string;
        call.args += (fn.arguments as string | undefined) ?? '';
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  return { content, reasoning, finish, usage, calls };
}

describe('openai → anthropic response (every recorded message)', () => {
  const messages = anthropicMessages();
  test('there are recordings to check', () => expect(messages.length).toBeGreaterThan(25));
  for (const { name, message } of messages) {
    test(name, () => {
      const t = translator();
      const r = t.response(message) as Json;
      const blocks = message.content as Json[];
      const choice = (r.choices as Json[])[0]!;
      const msg = choice.message as Json;
      const texts = blocks.filter((b) => b.type === 'text').map((b) => b.text as string);
      const tools = blocks.filter((b) => b.type === 'tool_use');
      expect(r.model).toBe('claude-public');
      expect(r.object).toBe('chat.completion');
      expect(msg.content).toBe(texts.length ? texts.join('') : tools.length ? null : '');
      const calls = (msg.tool_calls as Json[] | undefined) ?? [];
      expect(calls.map((c) => [c.id, (c.function as Json).name, JSON.parse((c.function as Json).arguments as string)])).toEqual(tools.map((b) => [b.id, b.name, b.input]));
      const thinking = blocks.filter((b) => b.type === 'thinking').map((b) => b.thinking).join('');
      expect(msg.reasoning_content).toBe(thinking || undefined);
      const expected = { end_turn: 'stop', tool_use: tools.length ? 'tool_calls' : 'stop', max_tokens: 'length', refusal: 'content_filter' }[message.stop_reason as string];
      expect(choice.finish_reason).toBe(expected!);
      const u = message.usage as Record<string, number>;
      const input = u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
      expect(r.usage).toMatchObject({ prompt_tokens: input, completion_tokens: u.output_tokens, prompt_tokens_details: { cached_tokens: u.cache_read_input_tokens ?? 0 } });
      expect(t.usage()).toMatchObject({ input_tokens: input, output_tokens: u.output_tokens, cached_input_tokens: u.cache_read_input_tokens ?? 0, cache_write_tokens: u.cache_creation_input_tokens ?? 0 });
    });
  }

  test('the response_format tool answer becomes the content with finish_reason stop', () => {
    const recorded = anthropicMessages().find((m) => m.name === 'vercel-ai_anthropic_anthropic-json-tool.1.json')!.message;
    const t = translator({ response_format: { type: 'json_schema', json_schema: { name: 'json', schema: { type: 'object' } } } });
    const choice = ((t.response(recorded) as Json).choices as Json[])[0]!;
    const input = (recorded.content as Json[])[0]!.input;
    expect(JSON.parse((choice.message as Json).content as string)).toEqual(input);
    expect((choice.message as Json).tool_calls).toBeUndefined();
    expect(choice.finish_reason).toBe('stop');
  });

  test('a body that is not a message is upstream_invalid', () => {
    expect(() => translator().response({ foo: 1 })).toThrow(expect.objectContaining({ kind: 'upstream_invalid' }));
  });

  test('recorded Anthropic errors keep their message and status class', () => {
    const errors = anthropicErrors();
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      const g = translator().error(e.status, e.body);
      expect(g.message).toContain((JSON.parse(e.body) as { error: { message: string } }).error.message);
      expect(g.kind).toBe(e.status === 404 ? 'not_found' : 'invalid_request');
    }
  });
});

describe('openai → anthropic stream (every recorded stream)', async () => {
  const streams = await anthropicStreams();
  test('there are recordings to check', () => expect(streams.length).toBeGreaterThan(30));
  for (const s of streams) {
    if (s.name.includes('spliced-message-start')) continue; // checked below: it must fail
    test(s.name, async () => {
      const expected = reduceAnthropicStream(s.events);
      const t = translator({ stream: true, stream_options: { include_usage: true } });
      const chunks = run(t, s.events);
      expect((chunks[0]!.choices as Json[])[0]!.delta).toEqual({ role: 'assistant', content: '' });
      for (const c of chunks) expect(c).toMatchObject({ object: 'chat.completion.chunk', model: 'claude-public' });
      const got = reassemble(chunks);
      expect(got.content).toBe(expected.blocks.filter((b) => b.type === 'text').map((b) => b.text).join(''));
      expect(got.reasoning).toBe(expected.blocks.filter((b) => b.type === 'thinking').map((b) => b.text).join(''));
      const tools = expected.blocks.filter((b) => b.type === 'tool_use');
      expect(got.calls.map((c) => [c.id, c.name, JSON.parse(c.args)])).toEqual(tools.map((b) => [b.id, b.name, b.json ? JSON.parse(b.json) : b.input]));
      const finish = { end_turn: 'stop', pause_turn: 'stop', tool_use: tools.length ? 'tool_calls' : 'stop', max_tokens: 'length', refusal: 'content_filter' }[expected.stopReason!];
      expect(got.finish).toBe(finish!);
      expect(got.usage).toMatchObject({ prompt_tokens: expected.input, completion_tokens: expected.output, total_tokens: expected.input + expected.output, prompt_tokens_details: { cached_tokens: expected.cacheRead } });
      expect(t.usage()).toMatchObject({ input_tokens: expected.input, output_tokens: expected.output, cached_input_tokens: expected.cacheRead, cache_write_tokens: expected.cacheWrite });
      // The last chunk is the usage chunk, with no choices, as the OpenAI SDK expects.
      expect(chunks.at(-1)!.choices).toEqual([]);

      // The official SDK accumulates the same message from the gateway's SSE frames.
      const client = new OpenAI({ apiKey: 'x', baseURL: 'http://gateway.test/v1', maxRetries: 0, fetch: async () => sseResponse(run(translator({ stream: true }), s.events).map((data): StreamEvent => ({ data })).concat([{ data: DONE }])) });
      const final = await client.chat.completions.stream({ model: 'claude-public', messages: hi }).finalChatCompletion();
      expect(final.choices[0]!.message.content ?? '').toBe(got.content);
      expect(final.choices[0]!.finish_reason).toBe(finish as 'stop');
      expect((final.choices[0]!.message.tool_calls ?? []).map((c) => (c.type === 'function' ? c.function.arguments : ''))).toEqual(got.calls.map((c) => c.args));
    });
  }

  test('without include_usage there is no usage chunk', () => {
    const chunks = run(translator({ stream: true }), chunkEvents('anthropic', 'vercel-ai_anthropic_anthropic-text.chunks.txt'));
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(reassemble(chunks).content).toContain('Hello! I');
  });

  test('a tool call without arguments gets "{}", the index counts tool calls', () => {
    const got = reassemble(run(translator({ stream: true }), chunkEvents('anthropic', 'vercel-ai_anthropic_anthropic-tool-no-args.chunks.txt')));
    expect(got.calls).toEqual([{ id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', args: '{}' }]);
    expect(got.content).toBe("I'll update the issue list for you.");
  });

  test('the response_format tool streams as content', () => {
    const t = translator({ stream: true, response_format: { type: 'json_schema', json_schema: { name: 'json', schema: { type: 'object' } } } });
    const got = reassemble(run(t, chunkEvents('anthropic', 'vercel-ai_anthropic_anthropic-json-tool.1.chunks.txt')));
    expect(got.calls).toEqual([]);
    expect(JSON.parse(got.content)).toEqual({ elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }] });
    expect(got.finish).toBe('stop');
  });

  test('a duplicated message_start is absorbed; a restart after content is upstream_invalid', () => {
    const got = reassemble(run(translator({ stream: true }), chunkEvents('anthropic', 'vercel-ai_anthropic_duplicate-message-start.chunks.txt')));
    expect(got.content).toBe('Hello, World!');
    const t = translator({ stream: true });
    const spliced = chunkEvents('anthropic', 'vercel-ai_anthropic_spliced-message-start.chunks.txt');
    expect(() => spliced.forEach((e) => t.streamEvent(e))).toThrow(expect.objectContaining({ kind: 'upstream_invalid' }));
  });

  test('an error event mid-stream is upstream_error; a stream without message_stop is upstream_invalid', () => {
    const events = chunkEvents('anthropic', 'vercel-ai_anthropic_anthropic-text.chunks.txt');
    const t = translator({ stream: true });
    for (const e of events.slice(0, 4)) t.streamEvent(e);
    const error = { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } };
    expect(() => t.streamEvent(error)).toThrow(expect.objectContaining({ kind: 'upstream_error', code: 'overloaded_error', message: expect.stringContaining('Overloaded') }));
    const cut = translator({ stream: true });
    for (const e of events.slice(0, -1)) cut.streamEvent(e);
    expect(() => cut.streamEnd()).toThrow(expect.objectContaining({ kind: 'upstream_invalid' }));
  });
});
