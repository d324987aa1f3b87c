import { afterAll, beforeAll, expect, test } from 'bun:test';
import Anthropic from '@anthropic-ai/sdk';
import { startAnthropicUpstream } from '../mocks/anthropic-upstream.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../../src/server/start.ts';

const KEY = 'upstream-anthropic-key-for-tests';
const up = startAnthropicUpstream({ apiKey: KEY });
let gw: Gateway;
beforeAll(async () => {
  gw = await startTestGateway({
    providers: { anthropic: { type: 'anthropic', base_url: up.url, api_key: KEY } },
    models: { 'claude-sonnet': { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' } },
  });
});
afterAll(async () => {
  await gw.stop();
  up.stop();
});

test('Anthropic → Anthropic keeps cache_control, thinking blocks and beta headers, and swaps only the model and key', async () => {
  const client = new Anthropic({ baseURL: gw.url, apiKey: 'tg-client-key', maxRetries: 0 });
  const m = await client.messages.create(
    {
      model: 'claude-sonnet',
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      system: [{ type: 'text', text: 'Long cached system prompt', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'Q1' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig-abc' }, { type: 'text', text: 'A1' }] },
        { role: 'user', content: [{ type: 'text', text: 'Q2', cache_control: { type: 'ephemeral' } }] },
      ],
    },
    { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } },
  );
  expect(m.model).toBe('claude-sonnet');
  const sent = up.requests.at(-1)!;
  const body = sent.body as Record<string, unknown>;
  expect(body.model).toBe('claude-sonnet-4-5-20250929');
  expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
  expect((body.system as { cache_control: unknown }[])[0]!.cache_control).toEqual({ type: 'ephemeral' });
  const msgs = body.messages as { content: unknown[] }[];
  expect(msgs[1]!.content[0]).toEqual({ type: 'thinking', thinking: 'hmm', signature: 'sig-abc' });
  expect(sent.headers['anthropic-beta']).toContain('prompt-caching-2024-07-31');
  expect(sent.headers['x-api-key']).toBe(KEY);
  expect(JSON.stringify(sent)).not.toContain('tg-client-key');
});

test('count_tokens answers Claude Code with an estimate and no upstream call', async () => {
  const client = new Anthropic({ baseURL: gw.url, apiKey: 'tg-client-key', maxRetries: 0 });
  const before = up.requests.length;
  const r = await client.messages.countTokens({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'x'.repeat(400) }] });
  expect(r.input_tokens).toBe(100 + 4 + 3);
  expect(up.requests.length).toBe(before);
  const err = await client.messages.countTokens({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e);
  expect(err).toBeInstanceOf(Anthropic.NotFoundError);
});

test("system turns inside messages (Claude Code's mid-conversation-system beta) pass through, or are hoisted without the beta", async () => {
  const client = new Anthropic({ baseURL: gw.url, apiKey: 'tg-client-key', maxRetries: 0 });
  const messages: Anthropic.MessageParam[] = [
    { role: 'user', content: 'Q1' },
    { role: 'assistant', content: 'A1' },
    { role: 'system', content: 'From now on, answer in French.' } as unknown as Anthropic.MessageParam,
    { role: 'user', content: 'Q2' },
  ];
  const beta = 'mid-conversation-system-2026-04-07';
  const withBeta = await client.messages.create({ model: 'claude-sonnet', max_tokens: 100, system: 'Top.', messages }, { headers: { 'anthropic-beta': beta } });
  expect(withBeta.content[0]).toMatchObject({ type: 'text' });
  expect((up.requests.at(-1)!.body as { messages: { role: string }[] }).messages.map((m) => m.role)).toEqual(['user', 'assistant', 'system', 'user']);

  const without = await client.messages.create({ model: 'claude-sonnet', max_tokens: 100, system: 'Top.', messages });
  expect(without.content[0]).toMatchObject({ type: 'text' });
  const sent = up.requests.at(-1)!.body as { system: unknown; messages: { role: string }[] };
  expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  expect(sent.system).toEqual([{ type: 'text', text: 'Top.' }, { type: 'text', text: 'From now on, answer in French.' }]);
});
