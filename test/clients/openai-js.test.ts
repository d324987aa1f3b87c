import { expect } from 'bun:test';
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { HELLO, Matrix, ROUTES, useStage } from './harness.ts';

// The official JS SDK's Responses API at its defaults (only baseURL and apiKey), on every route.
const matrix = new Matrix('OpenAI JS SDK (openai 6.49.0)');
const stage = useStage(matrix);
const client = () => new OpenAI({ baseURL: stage.url + '/v1', apiKey: 'anything' });

for (const route of ROUTES) {
  matrix.cell('openai (js)', route, 'responses.create', async () => {
    const r = await client().responses.create({ model: stage.model(route, 'chat'), input: 'Say hello' });
    expect(r.output_text).toBe(HELLO[route]);
    expect([r.usage?.input_tokens, r.usage?.output_tokens]).toEqual([11, 7]);
  });

  matrix.cell('openai (js)', route, 'responses.stream', async () => {
    const s = client().responses.stream({ model: stage.model(route, 'chat'), input: 'Say hello' });
    let text = '';
    for await (const ev of s) if (ev.type === 'response.output_text.delta') text += ev.delta;
    const final = await s.finalResponse();
    expect(text).toBe(HELLO[route]);
    expect(final.usage?.output_tokens).toBe(7);
  });

  matrix.cell('openai (js)', route, 'responses.parse', async () => {
    const r = await client().responses.parse({ model: stage.model(route, 'json'), input: 'Is it ok?', text: { format: zodTextFormat(z.object({ ok: z.boolean() }), 'answer') } });
    expect(r.output_parsed).toEqual({ ok: true });
  });
}
