import { describe, expect, test } from 'bun:test';
import Anthropic from '@anthropic-ai/sdk';
import type { AnthropicMessagesRequest } from '../../wire/anthropic.ts';
import type { StreamEvent } from '../types.ts';
import { anthropicToAnthropic } from './anthropic-anthropic.ts';
import { anthropicErrors, anthropicMessages, anthropicStreams, chunkEvents, reduceAnthropicStream, sseResponse } from '../../../test/support/recorded.ts';

type Json = Record<string, unknown>;
const ctx = (headers: Record<string, string> = {}) => ({ model: 'claude-upstream', publicModel: 'claude-public', clientHeaders: new Headers(headers) });

function translator(body: Partial<AnthropicMessagesRequest> = {}) {
  const t = anthropicToAnthropic('anthropic');
  t.request({ model: 'claude-public', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }], ...body }, ctx());
  return t;
}

describe('anthropic → anthropic request', () => {
  test('the body is kept as written except the model; anthropic-beta is forwarded', () => {
    const body = {
      model: 'claude-public',
      max_tokens: 1024,
      stream: true,
      system: [{ type: 'text' as const, text: 'Be brief.', cache_control: { type: 'ephemeral' as const } }],
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }],
      messages: [
        { role: 'user' as const, content: 'Hi' },
        { role: 'assistant' as const, content: [{ type: 'thinking' as const, thinking: 'hmm', signature: 'sig' }, { type: 'text' as const, text: 'Hello' }] },
        { role: 'user' as const, content: [{ type: 'text' as const, text: 'More', cache_control: { type: 'ephemeral' as const } }] },
      ],
      context_management: { edits: [] },
    };
    const call = anthropicToAnthropic('anthropic').request(body, ctx({ 'anthropic-beta': 'context-management-2025-06-27' }));
    expect(call).toEqual({ op: 'chat', stream: true, body: { ...body, model: 'claude-upstream' }, headers: { 'anthropic-beta': 'context-management-2025-06-27' } });
    const plain = anthropicToAnthropic('anthropic').request({ ...body, stream: undefined }, ctx());
    expect(plain.stream).toBe(false);
    expect(plain.headers).toBeUndefined();
  });
});

describe('anthropic → anthropic response (every recorded message)', () => {
  for (const { name, message } of anthropicMessages()) {
    test(name, () => {
      const t = translator();
      expect(t.response(message)).toEqual({ ...message, model: 'claude-public' });
      const u = message.usage as Record<string, number>;
      expect(t.usage()).toMatchObject({
        input_tokens: u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
        output_tokens: u.output_tokens,
        cached_input_tokens: u.cache_read_input_tokens ?? 0,
        cache_write_tokens: u.cache_creation_input_tokens ?? 0,
      });
    });
  }
  test('a body that is not a message is upstream_invalid', () => {
    expect(() => translator().response({ type: 'error' })).toThrow(expect.objectContaining({ kind: 'upstream_invalid' }));
  });
  test('recorded errors keep the provider message', () => {
    for (const e of anthropicErrors()) expect(translator().error(e.status, e.body).message).toContain((JSON.parse(e.body) as { error: { message: string } }).error.message);
  });
});

describe('anthropic → anthropic stream (every recorded stream)', async () => {
  const streams = await anthropicStreams();
  for (const s of streams) {
    test(s.name, async () => {
      const t = translator({ stream: true });
      const out = s.events.flatMap((e) => t.streamEvent(e));
      expect(t.streamEnd()).toEqual([]);
      // Forwarded one for one, event names kept, only message_start's model rewritten.
      expect(out.map((e) => e.event)).toEqual(s.events.map((e) => String((e.data as Json).type)));
      out.forEach((e, i) => {
        const original = s.events[i]!.data as Json;
        if (original.type === 'message_start') expect(e.data).toEqual({ ...original, message: { ...(original.message as Json), model: 'claude-public' } });
        else expect(e.data).toEqual(original);
      });
      const expected = reduceAnthropicStream(s.events);
      expect(t.usage()).toMatchObject({ input_tokens: expected.input, output_tokens: expected.output, cached_input_tokens: expected.cacheRead, cache_write_tokens: expected.cacheWrite });
      if (s.name.includes('spliced-message-start') || s.name.includes('duplicate-message-start')) return; // the SDK rightly rejects these

      // The official SDK rebuilds the recorded message from the gateway's SSE frames.
      const client = new Anthropic({ apiKey: 'x', baseURL: 'http://gateway.test', maxRetries: 0, fetch: async () => sseResponse(out) });
      const final = await client.messages.stream({ model: 'claude-public', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
      expect(final.model).toBe('claude-public');
      expect(final.stop_reason).toBe(expected.stopReason as Anthropic.StopReason);
      const texts = final.content.filter((b) => b.type === 'text').map((b) => b.text);
      expect(texts).toEqual(expected.blocks.filter((b) => b.type === 'text').map((b) => b.text));
      const tools = final.content.filter((b) => b.type === 'tool_use').map((b) => [b.id, b.input]);
      expect(tools).toEqual(expected.blocks.filter((b) => b.type === 'tool_use').map((b) => [b.id, b.json ? JSON.parse(b.json) : b.input]));
      expect(final.usage.output_tokens).toBe(expected.output);
    });
  }

  test('an error event mid-stream is upstream_error; no message_stop is upstream_invalid', () => {
    const events = chunkEvents('anthropic', 'vercel-ai_anthropic_anthropic-text.chunks.txt');
    const t = translator({ stream: true });
    t.streamEvent(events[0]!);
    const error: StreamEvent = { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } };
    expect(() => t.streamEvent(error)).toThrow(expect.objectContaining({ kind: 'upstream_error', code: 'overloaded_error' }));
    const cut = translator({ stream: true });
    events.slice(0, -1).forEach((e) => cut.streamEvent(e));
    expect(() => cut.streamEnd()).toThrow(expect.objectContaining({ kind: 'upstream_invalid' }));
  });
});
