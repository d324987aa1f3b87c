import { describe, expect, test } from 'bun:test';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { chunkEvents } from '../../../test/support/recorded.ts';
import { DONE } from '../types.ts';
import { openaiToOpenAI } from './openai-openai.ts';

const ctx = { model: 'gpt-5-nano', publicModel: 'chat', clientHeaders: new Headers() };
type Chunk = { object: string; id: string; model: string; choices: { delta: { content?: string } }[]; usage?: unknown };

describe('openai → openai (OpenAI, Azure, compatible servers)', () => {
  test("Azure's recorded filter-only first chunk is not passed on; every chunk the client sees is OpenAI-shaped", () => {
    const t = openaiToOpenAI('azure');
    t.request({ model: 'chat', messages: [{ role: 'user', content: 'Capital of France?' }], stream: true, stream_options: { include_usage: true } } as OpenAIChatRequest, ctx);
    const recorded = chunkEvents('azure', 'vercel-ai_openai_chat_azure-model-router.1.chunks.txt');
    expect((recorded[0]!.data as Chunk).object).toBe('');
    const out = [...recorded.flatMap((e) => t.streamEvent(e)), ...t.streamEvent({ data: DONE }), ...t.streamEnd()];
    const chunks = out.filter((e) => e.data !== DONE).map((e) => e.data as Chunk);
    expect(chunks).toHaveLength(recorded.length - 1);
    for (const c of chunks) expect([c.object, c.model, c.id.length > 0]).toEqual(['chat.completion.chunk', 'chat', true]);
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).join('')).toContain('Capital');
    // The usage-only chunk (empty choices, with usage) is OpenAI's own shape and still arrives.
    expect(chunks.at(-1)!.usage).toBeDefined();
  });

  test('echoed assistant keys (provider_specific_fields) are not sent upstream', () => {
    const call = openaiToOpenAI('openai').request(
      { model: 'chat', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b', provider_specific_fields: { x: 1 }, function_call: null }, { role: 'user', content: 'c' }] } as OpenAIChatRequest,
      ctx,
    );
    expect((call.body as { messages: unknown[] }).messages[1]).toEqual({ role: 'assistant', content: 'b', function_call: null });
  });
});
