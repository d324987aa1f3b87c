import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { PROVIDERS } from './providers.ts';
import { setupContract, type ContractEnv } from './setup.ts';

const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } },
};
const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

for (const p of PROVIDERS) {
  describe(`contract via the OpenAI SDK: ${p.name}`, () => {
    let env: ContractEnv;
    let client: OpenAI;
    beforeAll(async () => {
      env = await setupContract(p);
      client = new OpenAI({ baseURL: env.gateway.url + '/v1', apiKey: 'tg-test-key', maxRetries: 0 });
    });
    afterAll(() => env.stop());

    test('non-streaming chat returns the text, public model name and usage', async () => {
      const r = await client.chat.completions.create({ model: env.model('chat'), messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], max_tokens: 50 });
      expect(r.choices[0]!.message.content).toContain(`Hello from`);
      expect(r.choices[0]!.finish_reason).toBe('stop');
      expect(r.model).toBe(env.model('chat'));
      expect(r.usage!.prompt_tokens).toBeGreaterThan(0);
      expect(r.usage!.completion_tokens).toBeGreaterThan(0);
    });

    test('streaming chat delivers deltas, a finish reason and usage when asked', async () => {
      const stream = await client.chat.completions.create({ model: env.model('chat'), messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
      let text = '';
      let finish: string | null = null;
      let usage: OpenAI.CompletionUsage | undefined;
      let chunks = 0;
      for await (const chunk of stream) {
        chunks++;
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(chunks).toBeGreaterThan(2);
      expect(text).toContain('Hello from');
      expect(finish).toBe('stop');
      expect(usage!.completion_tokens).toBeGreaterThan(0);
    });

    test('streaming without include_usage sends no usage chunk', async () => {
      const stream = await client.chat.completions.create({ model: env.model('chat'), messages: [{ role: 'user', content: 'Hi' }], stream: true });
      for await (const chunk of stream) expect(chunk.usage ?? undefined).toBeUndefined();
    });

    test('tools: the model calls a tool (non-streaming)', async () => {
      const r = await client.chat.completions.create({ model: env.model('tool'), messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER_TOOL], tool_choice: 'auto' });
      const call = r.choices[0]!.message.tool_calls![0]!;
      expect(r.choices[0]!.finish_reason).toBe('tool_calls');
      expect(call.type).toBe('function');
      if (call.type !== 'function') throw new Error('expected a function call');
      expect(call.function.name).toBe('get_weather');
      expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris' });
      expect(call.id.length).toBeGreaterThan(0);
    });

    test('tools: streamed argument fragments reassemble', async () => {
      const stream = client.chat.completions.stream({ model: env.model('tool'), messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER_TOOL] });
      const final = await stream.finalChatCompletion();
      const call = final.choices[0]!.message.tool_calls![0]!;
      if (call.type !== 'function') throw new Error('expected a function call');
      expect(call.function.name).toBe('get_weather');
      expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris' });
      expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    });

    test('tool results in a multi-turn conversation are accepted', async () => {
      const r = await client.chat.completions.create({
        model: env.model('chat'),
        tools: [WEATHER_TOOL],
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        ],
      });
      // The mock model answers a tool result by quoting it: the result reached the upstream.
      expect(r.choices[0]!.message.content).toMatch(/^The tool said: .*21/);
    });

    test('image input (base64) is accepted', async () => {
      const r = await client.chat.completions.create({ model: env.model('chat'), messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: PIXEL } }] }] });
      expect(r.choices[0]!.message.content).toContain('Hello from');
    });

    test('json_schema response format yields JSON', async () => {
      const r = await client.chat.completions.create({
        model: env.model('json'),
        messages: [{ role: 'user', content: 'Answer in JSON' }],
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } } },
      });
      expect(JSON.parse(r.choices[0]!.message.content!)).toEqual({ ok: true });
    });

    test('an upstream 500 becomes a typed SDK error (502), not a 500', async () => {
      const err = await client.chat.completions.create({ model: env.model('error500'), messages: [{ role: 'user', content: 'Hi' }] }).catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(err.status).toBe(502);
    });

    test('an upstream 400 is relayed as a 400 BadRequestError', async () => {
      const err = await client.chat.completions.create({ model: env.model('error400'), messages: [{ role: 'user', content: 'Hi' }] }).catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    });

    test('a stream cut mid-way raises an error in the SDK instead of ending cleanly', async () => {
      const stream = await client.chat.completions.create({ model: env.model('cut'), messages: [{ role: 'user', content: 'Hi' }], stream: true });
      let text = '';
      const err = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })().catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(text.length).toBeGreaterThan(0);
    });

    if (p.embeddings) {
      test('embeddings return vectors in order with usage', async () => {
        const r = await client.embeddings.create({ model: env.model('embed'), input: ['a', 'b'], encoding_format: 'float' });
        expect(r.data.length).toBe(2);
        expect(r.data[1]!.index).toBe(1);
        expect(r.data[0]!.embedding.length).toBeGreaterThan(0);
        expect(r.model).toBe(env.model('embed'));
        expect(r.usage.prompt_tokens).toBeGreaterThan(0);
      });
    } else {
      test(`embeddings are refused with a 400 naming the model (${p.noEmbeddingsBecause})`, async () => {
        const err = await client.embeddings.create({ model: env.model('chat'), input: 'a' }).catch((e) => e);
        expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      });
    }
  });
}
