import { describe, expect, test } from 'bun:test';
import type { AnthropicMessagesRequest } from '../../wire/anthropic.ts';
import { chatTranslator as registryTranslator } from '../registry.ts';
import { DONE } from '../types.ts';
import { openaiToGemini } from './openai-gemini.ts';
import { chatTranslator, decode, fixtureJson, fixtureText, replay, type GRequest } from '../../../test/support/gemini-fixtures.ts';

const ctx = { model: 'gemini-2.5-flash', publicModel: 'my-gemini', clientHeaders: new Headers() };

describe('openaiToGemini', () => {
  test('usage is readable while the stream runs and after it; an OpenAI [DONE] is ignored', async () => {
    const t = chatTranslator({ stream: true });
    const events = await decode(fixtureText('firebase-testdata_googleai_streaming-success-empty-parts.txt'));
    t.streamEvent(events[0]!);
    expect(t.usage()).toMatchObject({ input_tokens: 16, output_tokens: 4 });
    expect(t.streamEvent({ data: DONE })).toEqual([]);
    const r = await replay(t, events.slice(1));
    expect(r.done).toBe(true);
    expect(t.usage()).toMatchObject({ input_tokens: 16, output_tokens: 1307 });
  });

  test('each translator keeps its own state', () => {
    const a = chatTranslator();
    const b = openaiToGemini('gemini');
    b.request({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }, { ...ctx, publicModel: 'other' });
    const json = fixtureJson('firebase-testdata_vertexai_unary-success-implicit-caching.json');
    expect((a.response(json) as { model: string }).model).toBe('my-gemini');
    expect((b.response(json) as { model: string }).model).toBe('other');
    expect(a.usage()).toEqual({ input_tokens: 12013, output_tokens: 88, cached_input_tokens: 11243, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 73 });
    expect(chatTranslator().usage().input_tokens).toBe(0);
  });
});

describe('Anthropic clients reach Gemini through the OpenAI translator (registry composition)', () => {
  const request: AnthropicMessagesRequest = {
    model: 'claude-on-gemini',
    max_tokens: 100,
    system: 'Be brief.',
    messages: [{ role: 'user', content: 'What is the capital of Wyoming?' }],
    stream: true,
  } as AnthropicMessagesRequest;

  test('the request arrives as a Gemini body', () => {
    const t = registryTranslator('anthropic', 'gemini', 'gemini');
    const body = t.request(request, ctx).body as GRequest;
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'What is the capital of Wyoming?' }] }]);
    expect(body.generationConfig?.maxOutputTokens).toBe(100);
  });

  test('a recorded Gemini stream comes back as Anthropic events', async () => {
    const t = registryTranslator('anthropic', 'gemini', 'gemini');
    t.request(request, ctx);
    const r = await replay(t, await decode(fixtureText('firebase-testdata_googleai_streaming-success-basic-reply-short.txt')));
    expect(r.error).toBeUndefined();
    const types = r.chunks.map((c) => c.type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    const text = r.chunks.flatMap((c) => ((c.delta as { text?: string } | undefined)?.text ? [(c.delta as { text: string }).text] : [])).join('');
    expect(text).toBe('The capital of Wyoming is **Cheyenne**.\n');
    expect(t.usage()).toMatchObject({ input_tokens: 7, output_tokens: 10 });
  });
});
