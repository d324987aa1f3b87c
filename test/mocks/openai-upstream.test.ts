import { afterAll, expect, test } from 'bun:test';
import { chunkEvents, sseTextEvents } from '../support/recorded.ts';
import { startOpenAIUpstream } from './openai-upstream.ts';
import { openaiToOpenAI } from '../../src/providers/openai/openai-openai.ts';
import type { OpenAIChatRequest } from '../../src/wire/openai.ts';

// The Azure mode of the OpenAI mock checked against a recorded Azure OpenAI stream: the
// filter-only first chunk and the per-choice filter results, and what the gateway makes of them.
type Json = Record<string, unknown>;
const up = startOpenAIUpstream({ azure: true });
afterAll(() => up.stop());
const RECORDED = 'vercel-ai_openai_chat_azure-model-router.1.chunks.txt';

async function mockStream() {
  const res = await fetch(`${up.url}/openai/deployments/gpt-chat/chat/completions?api-version=2024-10-21`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }) });
  return (await sseTextEvents(await res.text())).filter((e) => typeof e.data === 'object');
}

test("the mock's Azure stream opens like the recorded one and carries filter results on each choice", async () => {
  const recorded = chunkEvents('azure', RECORDED).map((e) => e.data as Json);
  const mock = (await mockStream()).map((e) => e.data as Json);
  const keys = (o: unknown) => Object.keys(o as Json).sort();
  expect(keys(mock[0])).toEqual(keys(recorded[0]));
  expect([mock[0]!.object, mock[0]!.id, mock[0]!.choices]).toEqual([recorded[0]!.object, recorded[0]!.id, recorded[0]!.choices]);
  expect(keys((mock[0]!.prompt_filter_results as Json[])[0])).toEqual(keys((recorded[0]!.prompt_filter_results as Json[])[0]));
  expect(keys((mock[2]!.choices as Json[])[0]!.content_filter_results)).toEqual(keys((recorded[2]!.choices as Json[])[0]!.content_filter_results));
});

test('through the gateway the filter-only chunk is gone, for the mock and the recording alike', async () => {
  for (const events of [await mockStream(), chunkEvents('azure', RECORDED)]) {
    const t = openaiToOpenAI('azure');
    t.request({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true } as OpenAIChatRequest, { model: 'gpt-chat', publicModel: 'chat', clientHeaders: new Headers() });
    const out = events.flatMap((e) => t.streamEvent(e)).map((e) => e.data as Json);
    expect(out.length).toBeGreaterThan(0);
    for (const c of out) expect([c.object, (c.choices as unknown[]).length > 0]).toEqual(['chat.completion.chunk', true]);
  }
});
