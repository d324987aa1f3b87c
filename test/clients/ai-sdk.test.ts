import { expect } from 'bun:test';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { embedMany, generateObject, generateText, stepCountIs, streamText, tool, type EmbeddingModel, type LanguageModel } from 'ai';
import { z } from 'zod';
import { HELLO, Matrix, ROUTES, useStage } from './harness.ts';

// The Vercel AI SDK against every route, each provider package at its defaults (only URL and key
// set). @ai-sdk/openai's default `openai(model)` is the Responses API; its chat-completions model,
// `openai.chat(model)`, runs as a client of its own.
const matrix = new Matrix('Vercel AI SDK (ai 7.0.173, @ai-sdk/openai 4.0.118, @ai-sdk/anthropic 4.0.105, @ai-sdk/openai-compatible 3.0.92)');
const stage = useStage(matrix);

const Answer = z.object({ ok: z.boolean() });
const weather = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ location: z.string() }),
  execute: async ({ location }) => `Sunny in ${location}`,
});

interface Provider {
  name: string;
  chat(model: string): LanguageModel;
  embedding?(model: string): EmbeddingModel;
  /** Whether the provider asks for usage on streams by default. */
  streamUsage: boolean;
}
const providers: Provider[] = [
  {
    name: '@ai-sdk/openai',
    chat: (m) => createOpenAI({ baseURL: stage.url + '/v1', apiKey: 'anything' })(m),
    streamUsage: true,
  },
  {
    name: '@ai-sdk/openai .chat',
    chat: (m) => createOpenAI({ baseURL: stage.url + '/v1', apiKey: 'anything' }).chat(m),
    embedding: (m) => createOpenAI({ baseURL: stage.url + '/v1', apiKey: 'anything' }).embedding(m),
    streamUsage: true,
  },
  {
    name: '@ai-sdk/anthropic',
    chat: (m) => createAnthropic({ baseURL: stage.url + '/v1', apiKey: 'anything' })(m),
    streamUsage: true,
  },
  {
    name: '@ai-sdk/openai-compatible',
    chat: (m) => createOpenAICompatible({ name: 'tollgate', baseURL: stage.url + '/v1', apiKey: 'anything' }).chatModel(m),
    embedding: (m) => createOpenAICompatible({ name: 'tollgate', baseURL: stage.url + '/v1', apiKey: 'anything' }).embeddingModel(m),
    // Without includeUsage: true the provider does not send stream_options.include_usage.
    streamUsage: false,
  },
];

for (const p of providers) {
  for (const route of ROUTES) {
    const model = (b: 'chat' | 'tool' | 'json') => p.chat(stage.model(route, b));

    matrix.cell(p.name, route, 'generateText', async () => {
      const r = await generateText({ model: model('chat'), prompt: 'Say hello' });
      expect(r.text).toBe(HELLO[route]);
      expect(r.finishReason).toBe('stop');
      expect([r.usage.inputTokens, r.usage.outputTokens]).toEqual([11, 7]);
    });

    matrix.cell(p.name, route, 'streamText', async () => {
      const r = streamText({ model: model('chat'), prompt: 'Say hello' });
      let text = '';
      for await (const delta of r.textStream) text += delta;
      expect(text).toBe(HELLO[route]);
      expect(await r.finishReason).toBe('stop');
      const usage = await r.usage;
      if (p.streamUsage) expect(usage.outputTokens).toBe(7);
      if (p.streamUsage) expect(usage.inputTokens).toBeGreaterThan(0);
    });

    matrix.cell(p.name, route, 'tools with execute', async () => {
      const r = await generateText({ model: model('tool'), tools: { get_weather: weather }, stopWhen: stepCountIs(5), prompt: 'What is the weather in Paris?' });
      const calls = r.steps.flatMap((s) => s.toolResults.map((t) => [t.toolName, t.input, t.output]));
      expect(calls).toEqual([['get_weather', { location: 'Paris' }, 'Sunny in Paris']]);
      expect(r.text).toContain('Sunny in Paris');
      expect(r.totalUsage.outputTokens).toBe(14);
    });

    matrix.cell(p.name, route, 'generateObject', async () => {
      const r = await generateObject({ model: model('json'), schema: Answer, prompt: 'Is it ok? Answer in JSON.' });
      expect(r.object).toEqual({ ok: true });
      expect(r.usage.outputTokens).toBe(7);
    });

    const embedding = p.embedding;
    if (embedding) {
      matrix.cell(p.name, route, 'embeddings', async () => {
        const r = await embedMany({ model: embedding(`${route}-embed`), values: ['first text', 'second text', 'third text'] });
        expect(r.embeddings.length).toBe(3);
        expect(r.embeddings[0]!.length).toBeGreaterThan(0);
        expect(r.embeddings[0]).not.toEqual(r.embeddings[2]);
      });
    }
  }
}

