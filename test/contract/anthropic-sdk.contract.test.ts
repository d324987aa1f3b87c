import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import Anthropic from '@anthropic-ai/sdk';
import { PROVIDERS } from './providers.ts';
import { setupContract, type ContractEnv } from './setup.ts';

const WEATHER_TOOL = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object' as const, properties: { location: { type: 'string' } }, required: ['location'] } };
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

for (const p of PROVIDERS) {
  describe(`contract via the Anthropic SDK: ${p.name}`, () => {
    let env: ContractEnv;
    let client: Anthropic;
    beforeAll(async () => {
      env = await setupContract(p);
      client = new Anthropic({ baseURL: env.gateway.url, apiKey: 'tg-test-key', maxRetries: 0 });
    });
    afterAll(() => env.stop());

    test('non-streaming message returns text, stop reason and usage', async () => {
      const m = await client.messages.create({ model: env.model('chat'), max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
      expect(m.type).toBe('message');
      expect(m.role).toBe('assistant');
      const text = m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      expect(text).toContain('Hello from');
      expect(m.stop_reason).toBe('end_turn');
      expect(m.model).toBe(env.model('chat'));
      expect(m.usage.input_tokens).toBeGreaterThan(0);
      expect(m.usage.output_tokens).toBeGreaterThan(0);
    });

    test('streaming message delivers text deltas and a final message', async () => {
      const stream = client.messages.stream({ model: env.model('chat'), max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
      let deltas = 0;
      stream.on('text', () => deltas++);
      const final = await stream.finalMessage();
      const text = final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      expect(text).toContain('Hello from');
      expect(deltas).toBeGreaterThan(1);
      expect(final.stop_reason).toBe('end_turn');
      expect(final.usage.output_tokens).toBeGreaterThan(0);
    });

    test('tools: tool_use with parsed input (non-streaming)', async () => {
      const m = await client.messages.create({ model: env.model('tool'), max_tokens: 100, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
      const use = m.content.find((b) => b.type === 'tool_use');
      expect(use?.type).toBe('tool_use');
      if (use?.type !== 'tool_use') throw new Error('expected tool_use');
      expect(use.name).toBe('get_weather');
      expect(use.input).toEqual({ location: 'Paris' });
      expect(m.stop_reason).toBe('tool_use');
    });

    test('tools: streamed input_json deltas reassemble', async () => {
      const stream = client.messages.stream({ model: env.model('tool'), max_tokens: 100, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
      const final = await stream.finalMessage();
      const use = final.content.find((b) => b.type === 'tool_use');
      if (use?.type !== 'tool_use') throw new Error('expected tool_use');
      expect(use.input).toEqual({ location: 'Paris' });
      expect(final.stop_reason).toBe('tool_use');
    });

    test('tool results and images in a multi-turn conversation are accepted', async () => {
      const m = await client.messages.create({
        model: env.model('chat'),
        max_tokens: 100,
        tools: [WEATHER_TOOL],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather here?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PIXEL } }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '21C' }] },
        ],
      });
      // The mock model answers a tool result by quoting it: the result reached the upstream.
      expect(m.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toMatch(/^The tool said: .*21C/);
    });

    test('an upstream 500 becomes a typed SDK error in the Anthropic schema', async () => {
      const err = await client.messages.create({ model: env.model('error500'), max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((e) => e);
      expect(err).toBeInstanceOf(Anthropic.APIError);
      expect(err.status).toBe(502);
      expect(err.error?.type).toBe('error');
    });

    test('an unknown model is a NotFoundError', async () => {
      const err = await client.messages.create({ model: 'no-such-model', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((e) => e);
      expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    });

    test('a stream cut mid-way raises an error instead of ending cleanly', async () => {
      const stream = client.messages.stream({ model: env.model('cut'), max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
      const err = await stream.finalMessage().catch((e) => e);
      expect(err).toBeInstanceOf(Error);
    });
  });
}
