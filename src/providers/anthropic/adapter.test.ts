import { afterAll, describe, expect, test } from 'bun:test';
import { startAnthropicUpstream } from '../../../test/mocks/anthropic-upstream.ts';
import type { ProviderConfig } from '../../config/schema.ts';
import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { DONE, type ChatTranslator, type ProviderAdapter, type StreamEvent } from '../types.ts';
import { anthropicAdapter } from './adapter.ts';
import { anthropicToAnthropic } from './anthropic-anthropic.ts';
import { openaiToAnthropic } from './openai-anthropic.ts';
import { cassette, chunkEvents, reduceAnthropicStream } from '../../../test/support/recorded.ts';

type Json = Record<string, unknown>;
type AnthropicConfig = Extract<ProviderConfig, { type: 'anthropic' }>;
const KEY = 'sk-ant-test-0000';
const config = (base_url: string, api_key = KEY): AnthropicConfig => ({
  type: 'anthropic', base_url, api_key, version: '2023-06-01', headers: { 'x-team': 'core' }, optional: false, data_residency: 'public', timeout_ms: 1000,
});

describe('anthropic adapter', () => {
  test('prepare: /v1/messages with x-api-key, anthropic-version and passed-through anthropic-beta', async () => {
    const a = anthropicAdapter('anthropic', config('https://api.anthropic.com/'));
    const p = await a.prepare({ op: 'chat', stream: true, body: { a: 1 }, headers: { 'anthropic-beta': 'b1', 'x-api-key': 'smuggled' } }, 'm');
    expect(p.url).toBe('https://api.anthropic.com/v1/messages');
    expect(p.init).toEqual({
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json', 'x-team': 'core', 'anthropic-beta': 'b1', 'x-api-key': KEY, 'anthropic-version': '2023-06-01', accept: 'text/event-stream' },
    });
    expect(a.wire).toBe('anthropic');
    const withBeta = anthropicAdapter('anthropic', { ...config('https://api.anthropic.com'), headers: { 'anthropic-beta': 'b0,b1' } });
    const merged = await withBeta.prepare({ op: 'chat', stream: false, body: {}, headers: { 'anthropic-beta': 'b1, b2' } }, 'm');
    expect(merged.init.headers['anthropic-beta']).toBe('b0,b1,b2');
    expect(merged.init.headers.accept).toBeUndefined();
    await expect(a.prepare({ op: 'embeddings', stream: false, body: {} }, 'm')).rejects.toBeInstanceOf(GatewayError);
  });

  test('events: decodes a recorded raw SSE body with its event names', async () => {
    const raw = cassette('anthropic', 'pydantic-ai_test_anthropic_test_anthropic_model_thinking_part_stream.yaml')[0]!.response.body!.string!;
    const a = anthropicAdapter('anthropic', config('https://api.anthropic.com'));
    const events: StreamEvent[] = [];
    for await (const e of a.events(new Response(raw).body!)) events.push(e);
    expect(events.length).toBeGreaterThan(10);
    for (const e of events) expect(e.event).toBe((e.data as Json).type as string);
    expect(events.filter((e) => e.event === 'ping').length).toBeGreaterThan(0);
    expect(events.at(-1)!.event).toBe('message_stop');
  });
});

async function exchange<Req>(a: ProviderAdapter, t: ChatTranslator<Req>, body: Req, headers: Record<string, string> = {}) {
  const call = t.request(body, { model: (body as { model: string }).model, publicModel: 'public', clientHeaders: new Headers(headers) });
  const p = await a.prepare(call, 'ignored');
  const res = await a.fetch(p.url, p.init);
  if (!res.ok) throw t.error(res.status, await res.text());
  if (!call.stream) return { json: t.response(await res.json()) as Json, events: [] as StreamEvent[] };
  const events: StreamEvent[] = [];
  for await (const e of a.events(res.body!)) events.push(...t.streamEvent(e));
  events.push(...t.streamEnd());
  return { json: undefined, events };
}

const chunkText = (events: StreamEvent[]) =>
  events.filter((e) => e.data !== DONE).map((e) => ((((e.data as Json).choices as Json[])[0]?.delta as Json | undefined)?.content as string | undefined) ?? '').join('');

describe('against the mock Anthropic upstream', () => {
  const up = startAnthropicUpstream({ apiKey: KEY });
  afterAll(() => up.stop());
  const a = anthropicAdapter('anthropic', config(up.url));
  const openai = (model: string, extra: Partial<OpenAIChatRequest> = {}) => ({ model, messages: [{ role: 'user' as const, content: 'Hi' }], ...extra }) as OpenAIChatRequest;
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];

  test('OpenAI client, non-streaming text: answer, usage, and what was sent upstream', async () => {
    const { json } = await exchange(a, openaiToAnthropic('anthropic'), openai('claude-chat', { user: 'u1' }));
    const choice = (json!.choices as Json[])[0]!;
    expect((choice.message as Json).content).toBe('Hello from anthropic');
    expect(json!.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    const sent = up.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers).toMatchObject({ 'x-api-key': KEY, 'anthropic-version': '2023-06-01' });
    expect(sent.body).toEqual({ model: 'claude-chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], max_tokens: 4096, metadata: { user_id: 'u1' } });
  });

  test('OpenAI client, streaming text parses the mock exactly like the recorded fixture', async () => {
    const t = openaiToAnthropic('anthropic');
    const { events } = await exchange(a, t, openai('claude-chat', { stream: true, stream_options: { include_usage: true } }));
    expect(chunkText(events)).toBe('Hello from anthropic');
    expect(events.at(-1)!.data).toBe(DONE);
    expect(t.usage()).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    const usageChunk = events.at(-2)!.data as Json;
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7 });
  });

  test('OpenAI client, tool call streamed and not', async () => {
    const { json } = await exchange(a, openaiToAnthropic('anthropic'), openai('claude-tool', { tools }));
    const choice = (json!.choices as Json[])[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = ((choice.message as Json).tool_calls as Json[])[0]!;
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"location":"Paris"}' });
    const { events } = await exchange(a, openaiToAnthropic('anthropic'), openai('claude-tool', { tools, stream: true }));
    const args = events.filter((e) => e.data !== DONE).flatMap((e) => (((e.data as Json).choices as Json[])[0]?.delta as Json | undefined)?.tool_calls as Json[] ?? []);
    expect(args.map((x) => (x.function as Json).arguments).join('')).toBe('{"location":"Paris"}');
    expect(args[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } });
  });

  test('OpenAI client, response_format answers through the forced tool as content', async () => {
    const rf = { response_format: { type: 'json_object' as const } };
    const { json } = await exchange(a, openaiToAnthropic('anthropic'), openai('claude-json', rf));
    const choice = (json!.choices as Json[])[0]!;
    expect(JSON.parse((choice.message as Json).content as string)).toEqual({ ok: true });
    expect(choice.finish_reason).toBe('stop');
    expect(up.requests.at(-1)!.body).toMatchObject({ tool_choice: { type: 'tool', name: 'json_object' } });
    const { events } = await exchange(a, openaiToAnthropic('anthropic'), openai('claude-json', { ...rf, stream: true }));
    expect(JSON.parse(chunkText(events))).toEqual({ ok: true });
  });

  test('errors: the error envelope, a wrong key, a cut stream', async () => {
    const rate = await exchange(a, openaiToAnthropic('anthropic'), openai('claude-error-429')).catch((e: unknown) => e);
    expect(rate).toMatchObject({ kind: 'rate_limited', code: 'rate_limit_error', message: expect.stringContaining('mock error 429') });
    const bad = anthropicAdapter('anthropic', config(up.url, 'wrong'));
    const denied = await exchange(bad, openaiToAnthropic('anthropic'), openai('claude-chat')).catch((e: unknown) => e);
    expect(denied).toMatchObject({ kind: 'upstream_error', code: 'authentication_error' });
    const cut = await exchange(a, openaiToAnthropic('anthropic'), openai('claude-cut', { stream: true })).catch((e: unknown) => e);
    expect(cut).toMatchObject({ kind: 'upstream_invalid' });
    const cutNative = await exchange(a, anthropicToAnthropic('anthropic'), { model: 'claude-cut', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(cutNative).toMatchObject({ kind: 'upstream_invalid' });
  });

  test('Anthropic client pass-through: beta header forwarded, stream events shaped like the recordings', async () => {
    const t = anthropicToAnthropic('anthropic');
    const body = { model: 'claude-chat', max_tokens: 50, stream: true, messages: [{ role: 'user' as const, content: 'Hi' }] };
    const { events } = await exchange(a, t, body, { 'anthropic-beta': 'prompt-caching-2024-07-31' });
    expect(up.requests.at(-1)!.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    const mock = reduceAnthropicStream(events);
    expect(mock.blocks.map((b) => b.text)).toEqual(['Hello from anthropic']);
    expect(t.usage()).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    // Same event grammar as a real text stream: start, block start, ping, deltas, block stop, delta, stop.
    const collapse = (es: StreamEvent[]) => es.map((e) => e.event).filter((n, i, all) => n !== all[i - 1]);
    const recorded = chunkEvents('anthropic', 'vercel-ai_anthropic_anthropic-text.chunks.txt');
    expect(collapse(events)).toEqual(collapse(recorded));
    const startKeys = (es: StreamEvent[]) => Object.keys(((es[0]!.data as Json).message as Json)).sort();
    expect(startKeys(recorded).filter((k) => !startKeys(events).includes(k))).toEqual([]);
    expect(mock.stopped).toBe(true);
  });

  test('the mock error envelope matches the recorded Anthropic one', async () => {
    const res = await fetch(`${up.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model: 'claude-error-400', max_tokens: 1, messages: [] }) });
    const mine = (await res.json()) as Json;
    const recorded = cassette('anthropic', 'pydantic-ai_test_anthropic_test_anthropic_explicit_effort_xhigh_unsupported_model_errors.yaml')[0]!.response.parsed_body as Json;
    expect(res.status).toBe(400);
    expect(Object.keys(mine).sort()).toEqual(Object.keys(recorded).sort());
    expect(Object.keys(mine.error as Json).sort()).toEqual(Object.keys(recorded.error as Json).sort());
    expect((mine.error as Json).type).toBe((recorded.error as Json).type as string);
    const noVersion = await fetch(`${up.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': KEY }, body: '{}' });
    expect(noVersion.status).toBe(400);
  });
});
