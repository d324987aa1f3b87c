import { describe, expect, test } from 'bun:test';
import type { StreamEvent } from '../types.ts';
import {
  assemble, cassette, chatTranslator, chunkLines, decode, expectedUsage, fixtureNames, fixtureText, geminiTexts, replay, type GResponse,
} from '../../../test/support/gemini-fixtures.ts';

/** Whole function calls in recorded events (streamed-argument pieces are checked separately). */
const functionCalls = (events: GResponse[]) =>
  events.flatMap((e) => (e.candidates?.[0]?.content?.parts ?? []).flatMap((p) => (p.functionCall?.name && p.functionCall.args !== undefined && !p.functionCall.willContinue ? [p.functionCall] : [])));

/** Streaming success recordings: Firebase raw SSE, vercel/ai chunk lines, pydantic-ai cassettes. */
async function streamRecordings(): Promise<{ name: string; events: GResponse[] }[]> {
  const out: { name: string; events: GResponse[] }[] = [];
  const sse = async (text: string) => (await decode(text)).map((e) => e.data as GResponse);
  for (const name of fixtureNames()) {
    // A pre-Gemini Vertex recording that never says it finished; covered on its own below.
    if (name.includes('quotes-escaped')) continue;
    if (/^firebase.*streaming-success/.test(name)) out.push({ name, events: await sse(fixtureText(name)) });
    else if (/^vercel-ai_google_google-.*\.chunks\.txt$/.test(name)) out.push({ name, events: chunkLines(name) as GResponse[] });
    else if (name.startsWith('pydantic-ai') && name.endsWith('.yaml')) {
      for (const [i, it] of cassette(name).entries()) {
        const body = it.response.body?.string;
        if (it.response.status.code === 200 && body?.startsWith('data:')) out.push({ name: `${name}#${i}`, events: await sse(body) });
      }
    }
  }
  return out;
}

describe('streams recorded from Gemini', async () => {
  const recordings = await streamRecordings();

  test('there are recordings to replay', () => {
    expect(recordings.length).toBeGreaterThan(40);
  });

  for (const rec of recordings) {
    test(rec.name, async () => {
      const events: StreamEvent[] = rec.events.map((data) => ({ data }));
      const r = await replay(chatTranslator({ stream: true }), events);
      expect(r.error).toBeUndefined();
      expect(r.done).toBe(true);
      const a = assemble(r.chunks);
      const { text, thoughts } = geminiTexts(rec.events);
      expect(a.content).toBe(text);
      expect(a.reasoning).toBe(thoughts);
      const calls = functionCalls(rec.events);
      if (calls.length) {
        expect(a.toolCalls.map((c) => c.name)).toEqual(calls.map((c) => c.name!));
        expect(a.toolCalls.map((c) => JSON.parse(c.arguments) as unknown)).toEqual(calls.map((c) => c.args ?? {}));
      }
      for (const c of a.toolCalls) expect(c.id).toMatch(/^call_[0-9a-f]{24}/);
      const finish = [...rec.events].reverse().find((e) => e.candidates?.[0]?.finishReason)!.candidates![0]!.finishReason;
      expect(a.finish).toBe(finish === 'MAX_TOKENS' ? 'length' : a.toolCalls.length ? 'tool_calls' : 'stop');
      const lastUsage = [...rec.events].reverse().find((e) => e.usageMetadata)?.usageMetadata;
      expect(a.usage).toEqual(expectedUsage(lastUsage));
      // The shape the openai SDK reads.
      expect(r.chunks[0]).toMatchObject({ object: 'chat.completion.chunk', model: 'my-gemini', choices: [{ index: 0, delta: { role: 'assistant' } }] });
      expect(r.chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
      expect(new Set(r.chunks.map((c) => c.id)).size).toBe(1);
    });
  }

  test('streamed function-call arguments (Vertex, Gemini 3) are reassembled into whole calls', async () => {
    const run = async (name: string) => assemble((await replay(chatTranslator({ stream: true }), chunkLines(name).map((data) => ({ data })))).chunks);
    const args = (a: { toolCalls: { name: string; arguments: string }[] }) => a.toolCalls.map((c) => [c.name, JSON.parse(c.arguments) as unknown]);
    const weather = await run('vercel-ai_google_google-stream-tool-call-arguments.chunks.txt');
    expect(args(weather)).toEqual([
      ['getWeather', { location: 'Boston' }],
      ['getWeather', { location: 'San Francisco' }],
    ]);
    expect(weather.toolCalls[0]!.id).toContain('__ts__');
    expect(weather.finish).toBe('tool_calls');
    expect(args(await run('vercel-ai_google_google-stream-no-args-tool-call.chunks.txt'))).toEqual([
      ['read_theme', {}],
      ['read_screen', { id: 'A' }],
      ['read_screen', { id: 'B' }],
      ['read_screen', { id: 'C' }],
    ]);
    // The last call is never closed by an empty functionCall: it ends with the finish reason.
    const items = await run('vercel-ai_google_google-stream-tool-call-array-arguments-missing-terminal-function-call.chunks.txt');
    const ops = (JSON.parse(items.toolCalls[0]!.arguments) as { operations: unknown[] }).operations;
    expect(ops[0]).toEqual({ action: 'add', description: 'Fresh red apple', itemid: 'apple_001', price: 0.5 });
    expect(ops.length).toBeGreaterThan(1);
    const nested = await run('vercel-ai_google_google-vertex-stream-tool-call-arguments-nested.1.chunks.txt');
    const recipe = (JSON.parse(nested.toolCalls[0]!.arguments) as { recipe: { name: string; ingredients: unknown[]; steps: string[] } }).recipe;
    expect(recipe.name).toBe('Lasagna');
    expect(recipe.ingredients[7]).toEqual({ amount: '2 cloves', name: 'Garlic' });
    expect(recipe.steps[4]).toBe('In a 9x13 baking dish, spread a thin layer of meat sauce.');
  });

  test('usage is left out of the stream unless the client asked for it', async () => {
    const events = await decode(fixtureText('firebase-testdata_googleai_streaming-success-basic-reply-short.txt'));
    const t = chatTranslator({ stream: true, includeUsage: false });
    const r = await replay(t, events);
    expect(r.chunks.some((c) => 'usage' in c)).toBe(false);
    expect(r.chunks.at(-1)!.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    expect(t.usage()).toEqual({ input_tokens: 7, output_tokens: 10, cached_input_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 });
  });

  test('logprobs ride on content deltas when asked for', async () => {
    const events = [
      { candidates: [{ content: { parts: [{ text: 'Hi' }] }, index: 0, logprobsResult: { chosenCandidates: [{ token: 'Hi', logProbability: -0.5 }], topCandidates: [{ candidates: [{ token: 'Hi', logProbability: -0.5 }, { token: 'Yo', logProbability: -2 }] }] } }] },
      { candidates: [{ content: { parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }] },
    ];
    const r = await replay(chatTranslator({ stream: true, logprobs: true }), events.map((data) => ({ data })));
    const content = r.chunks.find((c) => (c.choices as { delta: { content?: string } }[])[0]?.delta.content === 'Hi')!;
    expect((content.choices as { logprobs: unknown }[])[0]!.logprobs).toEqual({
      content: [{ token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [{ token: 'Hi', logprob: -0.5, bytes: [72, 105] }, { token: 'Yo', logprob: -2, bytes: [89, 111] }] }],
      refusal: null,
    });
  });
});

describe('stream failures', () => {
  const run = async (name: string) => replay(chatTranslator({ stream: true }), await decode(fixtureText(`firebase-testdata_${name}.txt`)));

  test('an error appended mid-stream is an upstream error, after the text that came before it', async () => {
    const r = await run('vertexai_streaming-failure-error-mid-stream');
    expect(r.error?.kind).toBe('upstream_error');
    expect(r.error?.message).toContain('The operation was cancelled.');
    expect(r.error?.code).toBe('CANCELLED');
    expect(assemble(r.chunks).content).toBe('First Second ');
    expect(r.done).toBe(false);
  });

  test('error bodies instead of a stream are upstream errors carrying Google’s message', async () => {
    for (const [name, message] of [
      ['googleai_streaming-failure-image-rejected', 'Request contains an invalid argument.'],
      ['vertexai_streaming-failure-api-key', 'API key not valid'],
      ['vertexai_streaming-failure-http-error', '$grpcMessage'],
      ['vertexai_streaming-failure-unknown-model', 'models/unknown is not found'],
    ] as const) {
      const r = await run(name);
      expect(r.error?.kind).toBe('upstream_error');
      expect(r.error?.message).toContain(message);
    }
  });

  test('events that are not GenerateContentResponses, or never finish, are upstream_invalid', async () => {
    for (const name of ['vertexai_streaming-failure-invalid-json', 'vertexai_streaming-failure-empty-content', 'vertexai_streaming-failure-malformed-content']) {
      expect((await run(name)).error?.kind).toBe('upstream_invalid');
    }
    const quotes = await run('vertexai_streaming-success-quotes-escaped');
    expect(quotes.error?.kind).toBe('upstream_invalid');
    expect(quotes.error?.message).toContain('closed the stream before it finished');
    expect(assemble(quotes.chunks).content).toStartWith(' Pineapples and "bananas" are two different types of fruit.');
  });

  test('a blocked prompt is an empty answer stopped by the content filter', async () => {
    for (const name of ['googleai_streaming-failure-prompt-blocked-safety', 'vertexai_streaming-failure-prompt-blocked-safety', 'vertexai_streaming-failure-prompt-blocked-safety-with-message']) {
      const r = await run(name);
      expect(r.error).toBeUndefined();
      expect(r.done).toBe(true);
      const a = assemble(r.chunks);
      expect([a.content, a.finish]).toEqual(['', 'content_filter']);
    }
  });

  test('a candidate stopped by a filter finishes with content_filter, keeping what came before', async () => {
    const safety = assemble((await run('vertexai_streaming-failure-finish-reason-safety')).chunks);
    expect([safety.content, safety.finish]).toEqual(['<redacted>', 'content_filter']);
    // RECITATION arrives after two events that said STOP: the last verdict wins.
    const recitation = assemble((await run('vertexai_streaming-failure-recitation-no-content')).chunks);
    expect([recitation.content, recitation.finish]).toEqual(['Copyrighted text goes hereMore copyrighted text', 'content_filter']);
    const google = assemble((await run('googleai_streaming-failure-recitation-no-content')).chunks);
    expect(google.finish).toBe('content_filter');
    expect(google.content).toStartWith('text1text2text3');
  });

  test('a finish reason newer than this code is a plain stop', async () => {
    const r = await run('vertexai_streaming-failure-unknown-finish-enum');
    expect(r.error).toBeUndefined();
    expect(assemble(r.chunks).finish).toBe('stop');
  });

  test('a failed candidate with nothing produced is an upstream error, not an empty stop', async () => {
    const r = await replay(chatTranslator({ stream: true }), [{ data: { candidates: [{ finishReason: 'MALFORMED_FUNCTION_CALL', finishMessage: 'Malformed function call: print(', index: 0 }] } }]);
    expect([r.error?.kind, r.error?.code]).toEqual(['upstream_error', 'MALFORMED_FUNCTION_CALL']);
    expect(r.error?.message).toContain('Malformed function call');
  });
});
