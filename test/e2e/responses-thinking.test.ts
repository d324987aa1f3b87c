import { afterAll, beforeAll, expect, test } from 'bun:test';
import OpenAI from 'openai';
import { startAnthropicUpstream } from '../mocks/anthropic-upstream.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../../src/server/start.ts';

// Anthropic thinking through the Responses API: the thinking block comes back as a reasoning item
// (its text as the summary, its signature as encrypted_content), and a tool round trip continued
// by previous_response_id sends the signed thinking block back before the tool call, as Anthropic
// requires with thinking on.
const KEY = 'test-upstream-key';
let up: ReturnType<typeof startAnthropicUpstream>;
let gw: Gateway;
let client: OpenAI;
const WEATHER = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] }, strict: false };

beforeAll(async () => {
  up = startAnthropicUpstream({ apiKey: KEY });
  gw = await startTestGateway({ providers: { claude: { type: 'anthropic', base_url: up.url, api_key: KEY } }, models: { claude: { provider: 'claude', model: 'claude-tool' } } });
  client = new OpenAI({ baseURL: gw.url + '/v1', apiKey: 'anything', maxRetries: 0 });
});
afterAll(async () => {
  await gw.stop();
  up.stop();
});

type Json = Record<string, unknown>;
const thinkingBlocks = () => ((up.requests.at(-1)!.body as { messages: { role: string; content: Json[] | string }[] }).messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b) => b.type === 'thinking'));

for (const stream of [false, true]) {
  test(`thinking is a signed reasoning item, sent back signed on the next turn (${stream ? 'streamed' : 'JSON'})`, async () => {
    const args = { model: 'claude', input: 'Weather in Paris?', tools: [WEATHER], reasoning: { effort: 'low' as const } };
    let first: OpenAI.Responses.Response;
    if (stream) {
      const s = client.responses.stream(args);
      for await (const _ of s) void _;
      first = await s.finalResponse();
    } else first = await client.responses.create(args);
    const reasoning = first.output.find((o) => o.type === 'reasoning');
    if (reasoning?.type !== 'reasoning') throw new Error(`no reasoning item in ${JSON.stringify(first.output)}`);
    expect(reasoning.summary[0]!.text.length).toBeGreaterThan(0);
    expect(reasoning.encrypted_content).toMatch(/^EqQB/);
    const call = first.output.find((o) => o.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('no function call');
    const second = await client.responses.create({ ...args, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }], previous_response_id: first.id });
    expect(second.status).toBe('completed');
    expect(thinkingBlocks()).toEqual([{ type: 'thinking', thinking: reasoning.summary[0]!.text, signature: reasoning.encrypted_content! }]);
  });
}
