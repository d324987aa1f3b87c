import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { PROVIDERS } from './providers.ts';
import { setupContract, type ContractEnv } from './setup.ts';

// The Responses API through the official SDK on every provider route: natively on OpenAI and
// Azure, translated through chat completions on the others.
const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'], additionalProperties: false },
  strict: true,
};
const NATIVE = new Set(['openai', 'azure']);

for (const p of PROVIDERS) {
  describe(`Responses API via the OpenAI SDK: ${p.name}`, () => {
    let env: ContractEnv;
    let client: OpenAI;
    beforeAll(async () => {
      env = await setupContract(p);
      client = new OpenAI({ baseURL: env.gateway.url + '/v1', apiKey: 'tg-test-key', maxRetries: 0 });
    });
    afterAll(() => env.stop());
    const upstreamPaths = () => env.requests.map((r) => r.path);

    test('responses.create returns a completed response with output_text and usage details', async () => {
      const r = await client.responses.create({ model: env.model('chat'), instructions: 'Be brief.', input: 'Hi', max_output_tokens: 50 });
      expect(r.object).toBe('response');
      expect(r.status).toBe('completed');
      expect(r.id).toMatch(/^resp_/);
      expect(r.output_text).toContain('Hello from');
      expect(r.model).toBe(env.model('chat'));
      expect(r.output[0]!.type).toBe('message');
      expect(r.usage!.input_tokens).toBeGreaterThan(0);
      expect(r.usage!.output_tokens).toBeGreaterThan(0);
      expect(typeof r.usage!.input_tokens_details.cached_tokens).toBe('number');
      expect(typeof r.usage!.output_tokens_details.reasoning_tokens).toBe('number');
      const last = upstreamPaths().at(-1)!;
      if (NATIVE.has(p.name)) expect(last).toContain('/responses');
      else expect(last).not.toContain('/responses');
    });

    test('responses.stream delivers the event sequence with sequence numbers and a final response', async () => {
      const stream = client.responses.stream({ model: env.model('chat'), input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }] });
      const types: string[] = [];
      const seqs: number[] = [];
      let text = '';
      for await (const ev of stream) {
        types.push(ev.type);
        seqs.push(ev.sequence_number);
        if (ev.type === 'response.output_text.delta') text += ev.delta;
      }
      const final = await stream.finalResponse();
      expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
      for (const t of ['response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.done', 'response.content_part.done', 'response.output_item.done']) expect(types).toContain(t);
      expect(types.at(-1)).toBe('response.completed');
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
      expect(text).toContain('Hello from');
      expect(final.output_text).toBe(text);
      expect(final.usage!.output_tokens).toBeGreaterThan(0);
    });

    test('tools round trip: function_call, then function_call_output answered in text', async () => {
      const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather in Paris?' }];
      const first = await client.responses.create({ model: env.model('tool'), input, tools: [WEATHER_TOOL], store: false });
      const call = first.output.find((o) => o.type === 'function_call');
      if (call?.type !== 'function_call') throw new Error(`expected a function call, got ${JSON.stringify(first.output)}`);
      expect(call.name).toBe('get_weather');
      expect(JSON.parse(call.arguments)).toEqual({ location: 'Paris' });
      const second = await client.responses.create({
        model: env.model('tool'),
        input: [...input, { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments }, { type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21C' }],
        tools: [WEATHER_TOOL],
        store: false,
      });
      expect(second.output_text).toContain('sunny, 21C');
    });

    test('streamed tool call: function_call_arguments deltas and done', async () => {
      const stream = client.responses.stream({ model: env.model('tool'), input: 'Weather in Paris?', tools: [WEATHER_TOOL], store: false });
      let args = '';
      let done = '';
      for await (const ev of stream) {
        if (ev.type === 'response.function_call_arguments.delta') args += ev.delta;
        if (ev.type === 'response.function_call_arguments.done') done = ev.arguments;
      }
      expect(JSON.parse(done)).toEqual({ location: 'Paris' });
      expect(args).toBe(done);
      const final = await stream.finalResponse();
      expect(final.output.some((o) => o.type === 'function_call')).toBe(true);
    });

    test('text.format json_schema reaches the upstream as structured output', async () => {
      const r = await client.responses.create({
        model: env.model('json'),
        input: 'Say ok',
        text: { format: { type: 'json_schema', name: 'ok', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false }, strict: true } },
        store: false,
      });
      expect(r.status).toBe('completed');
      expect(r.output_text.length).toBeGreaterThan(0);
      const sent = JSON.stringify(env.requests.at(-1)!.body);
      expect(sent).toContain('"ok"');
      expect(sent).toContain('json');
    });

    test('a built-in tool is refused with a 400 naming it unless the provider has it natively', async () => {
      if (NATIVE.has(p.name)) return; // native routes pass it on (under allowed_server_tools); see the state tests
      const e = await client.responses.create({ model: env.model('chat'), input: 'Hi', tools: [{ type: 'function', name: 'f', parameters: {}, strict: false }, { type: 'web_search' } as never] }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect((e as InstanceType<typeof OpenAI.APIError>).status).toBeGreaterThanOrEqual(400);
      expect((e as InstanceType<typeof OpenAI.APIError>).message).toContain('web_search');
    });
  });
}
