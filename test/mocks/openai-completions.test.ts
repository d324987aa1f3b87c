import { afterAll, expect, test } from 'bun:test';
import { chunkEvents, readFixture, sseTextEvents } from '../support/recorded.ts';
import { startOpenAIUpstream } from './openai-upstream.ts';
import { completionsToOpenAI } from '../../src/providers/openai/completions-openai.ts';
import { DONE } from '../../src/providers/types.ts';

// The OpenAI mock's /v1/completions checked against recorded gpt-3.5-turbo-instruct traffic,
// and the recording itself read by the gateway's native completions translator.
type Json = Record<string, unknown>;
const up = startOpenAIUpstream();
afterAll(() => up.stop());
const RECORDED = 'vercel-ai_openai_completion_openai-completion-text';
const recordedJson = () => JSON.parse(readFixture('openai', `${RECORDED}.json`)) as Json;
const keys = (o: unknown) => Object.keys(o as Json).sort();
const post = (body: Json) => fetch(`${up.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', ...body }) });
const ctx = { model: 'gpt-3.5-turbo-instruct', publicModel: 'instruct', clientHeaders: new Headers() };

test("the mock's completion has the recorded fields, down to each choice and the usage", async () => {
  const mock = (await (await post({})).json()) as Json;
  const rec = recordedJson();
  expect(keys(mock)).toEqual(keys(rec));
  expect(keys((mock.choices as Json[])[0])).toEqual(keys((rec.choices as Json[])[0]));
  expect(keys(mock.usage)).toEqual(keys(rec.usage));
  expect([mock.object, String(mock.id).slice(0, 5)]).toEqual([rec.object, 'cmpl-']);
});

test("the mock's stream is framed as the recorded one: usage null on text chunks, then a usage chunk with no choices", async () => {
  const rec = chunkEvents('openai', `${RECORDED}.chunks.txt`).map((e) => e.data as Json);
  const mock = (await sseTextEvents(await (await post({ stream: true, stream_options: { include_usage: true } })).text())).filter((e) => e.data !== DONE).map((e) => e.data as Json);
  expect(keys(mock[0])).toEqual(keys(rec[0]));
  expect(keys((mock[0]!.choices as Json[])[0])).toEqual(keys((rec[0]!.choices as Json[])[0]));
  expect(keys(mock.at(-1))).toEqual(keys(rec.at(-1)));
  for (const chunks of [mock, rec]) {
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect((chunks.at(-2)!.choices as Json[])[0]!.finish_reason).not.toBeNull();
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  }
});

test('the native translator reads the recorded completion and stream: text, finish reason and usage', () => {
  const t = completionsToOpenAI('openai');
  t.request({ model: 'instruct', prompt: 'hi' }, ctx);
  const out = t.response(recordedJson()) as Json;
  expect(out.model).toBe('instruct');
  expect(t.usage()).toMatchObject({ input_tokens: 14, output_tokens: 16 });

  const s = completionsToOpenAI('openai');
  s.request({ model: 'instruct', prompt: 'hi', stream: true, stream_options: { include_usage: true } }, ctx);
  const events = [...chunkEvents('openai', `${RECORDED}.chunks.txt`), { data: DONE }].flatMap((e) => s.streamEvent(e));
  const end = s.streamEnd();
  const text = events.map((e) => ((e.data as Json).choices as { text: string }[] | undefined)?.[0]?.text ?? '').join('');
  const recorded = chunkEvents('openai', `${RECORDED}.chunks.txt`).map((e) => ((e.data as Json).choices as { text: string }[])[0]?.text ?? '');
  expect(text).toBe(recorded.join(''));
  expect(text.startsWith('The holiday is called')).toBe(true);
  expect(s.usage()).toMatchObject({ input_tokens: 14, output_tokens: 16 });
  expect(end).toEqual([{ data: DONE }]);
  expect(events.every((e) => (e.data as Json).model === 'instruct')).toBe(true);
});

test('the native translator asks the upstream for stream usage and hides it when the client did not ask', async () => {
  const s = completionsToOpenAI('openai');
  const call = s.request({ model: 'instruct', prompt: 'hi', stream: true }, ctx);
  expect(call.body).toMatchObject({ stream_options: { include_usage: true }, max_tokens: 16, model: 'gpt-3.5-turbo-instruct' });
  const events = (await sseTextEvents(await (await post(call.body as Json)).text())).flatMap((e) => s.streamEvent(e));
  expect(events.some((e) => e.data !== DONE && (e.data as Json).usage)).toBe(false);
  expect(s.usage().output_tokens).toBeGreaterThan(0);
});
