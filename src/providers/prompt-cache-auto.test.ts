import { describe, expect, test } from 'bun:test';
import type { AnthropicMessagesRequest } from '../wire/anthropic.ts';
import type { OpenAIChatRequest } from '../wire/openai.ts';
import { chatTranslator } from './registry.ts';
import { minCacheTokens } from './prompt-cache-plan.ts';
import type { TranslateContext } from './types.ts';

type Json = Record<string, unknown>;
const LONG = 'You are a careful assistant. '.repeat(600); // ~17,400 characters: over 4,096 tokens at 4 a token
const SHORT = 'Be brief.';
const tool = (name: string, description = 'x') => ({ name, description, input_schema: { type: 'object', properties: { q: { type: 'string' } } } });
const bigTools = Array.from({ length: 40 }, (_, i) => tool(`tool_${i}`, 'Looks things up in the catalogue by name, code or date. '.repeat(4)));

function ctx(model: string, promptCache?: TranslateContext['promptCache']): TranslateContext {
  return { model, publicModel: 'claude', clientHeaders: new Headers(), ...(promptCache ? { promptCache } : {}) };
}
const auto = { mode: 'auto' } as const;

function anthropic(body: Json, model = 'claude-sonnet-4-5-20250929', plan: TranslateContext['promptCache'] = auto) {
  const call = chatTranslator('anthropic', 'anthropic', 'anthropic').request({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], ...body } as AnthropicMessagesRequest, ctx(model, plan));
  return { body: call.body as { system?: Json[] | string; tools?: Json[] }, placed: call.promptCache, dropped: call.dropped };
}
const markers = (b: unknown) => JSON.stringify(b).split('"cache_control"').length - 1;

describe('prompt_cache: auto on Anthropic', () => {
  test('a long system prompt and a long tool list each get a breakpoint after their last block', () => {
    const { body, placed } = anthropic({ system: LONG, tools: bigTools });
    expect(placed).toBe(2);
    expect(body.system).toEqual([{ type: 'text', text: LONG, cache_control: { type: 'ephemeral' } }]);
    expect(body.tools!.at(-1)!.cache_control).toEqual({ type: 'ephemeral' });
    expect(body.tools!.slice(0, -1).some((t) => t.cache_control)).toBe(false);
  });

  test('short prompts get none: under the model minimum nothing would be cached', () => {
    const { body, placed } = anthropic({ system: SHORT, tools: [tool('a')] });
    expect(placed).toBe(0);
    expect(markers(body)).toBe(0);
  });

  test('the minimum is per model: 1,024 tokens for Sonnet 4.5, 4,096 for Haiku 4.5 and Opus 4.5, 2,048 for Sonnet 4.6', () => {
    expect([minCacheTokens('claude-sonnet-4-5-20250929'), minCacheTokens('claude-haiku-4-5'), minCacheTokens('anthropic.claude-opus-4-5-20251101-v1:0'), minCacheTokens('claude-sonnet-4-6')]).toEqual([1024, 4096, 4096, 2048]);
    const mid = 'Rule. '.repeat(1200); // 7,200 chars ≈ 1,800 tokens
    expect(anthropic({ system: mid }).placed).toBe(1);
    expect(anthropic({ system: mid }, 'claude-haiku-4-5-20251001').placed).toBe(0);
  });

  test("the client's breakpoints are kept and counted: never more than 4 in all", () => {
    const client = { type: 'ephemeral' };
    const messages = [1, 2, 3].map((i) => ({ role: i % 2 ? 'user' : 'assistant', content: [{ type: 'text', text: `turn ${i}`, cache_control: client }] }));
    const { body, placed } = anthropic({ system: LONG, tools: bigTools, messages });
    expect(placed).toBe(1);
    expect(markers(body)).toBe(4);
    // The one free slot goes to the system prompt, whose prefix holds the tools too.
    expect((body.system as Json[])[0]!.cache_control).toEqual({ type: 'ephemeral' });
    const full = anthropic({ system: LONG, tools: bigTools, messages: [...messages, { role: 'user', content: [{ type: 'text', text: 'q', cache_control: client }] }] });
    expect(full.placed).toBe(0);
    expect(markers(full.body)).toBe(4);
  });

  test('a block the client marked is not marked twice', () => {
    const system = [{ type: 'text', text: LONG, cache_control: { type: 'ephemeral', ttl: '1h' } }];
    const { body, placed } = anthropic({ system, tools: bigTools });
    expect(placed).toBe(1);
    expect((body.system as Json[])[0]!.cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    // Before a 1-hour breakpoint a breakpoint must be 1-hour too (longer TTLs come first).
    expect(body.tools!.at(-1)!.cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
  });

  test("the client's top-level 1-hour marker (after the prompt's last block) makes a placed breakpoint 1-hour too, and counts toward the four", () => {
    const { body, placed } = anthropic({ system: LONG, cache_control: { type: 'ephemeral', ttl: '1h' } } as Json);
    expect(placed).toBe(1);
    expect((body.system as Json[])[0]!.cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    const client = { type: 'ephemeral' };
    const messages = [1, 2, 3].map((i) => ({ role: i % 2 ? 'user' : 'assistant', content: [{ type: 'text', text: `turn ${i}`, cache_control: client }] }));
    const full = anthropic({ system: LONG, messages, cache_control: client } as Json);
    expect(full.placed).toBe(0);
  });

  test('ttl 1h from the policy', () => {
    const { body } = anthropic({ system: LONG }, undefined, { mode: 'auto', ttl: '1h' });
    expect((body.system as Json[])[0]!.cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
  });

  test('off, or no decision, changes nothing', () => {
    const sent = { system: LONG, tools: bigTools };
    expect(anthropic(sent, undefined, { mode: 'off' }).placed).toBeUndefined();
    expect(markers(anthropic(sent, undefined, { mode: 'off' }).body)).toBe(0);
    const none = chatTranslator('anthropic', 'anthropic', 'anthropic').request({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], ...sent } as AnthropicMessagesRequest, ctx('claude-sonnet-4-5-20250929'));
    expect(none.promptCache).toBeUndefined();
    expect(markers(none.body)).toBe(0);
  });

  test('OpenAI chat clients reaching Anthropic get the same breakpoints', () => {
    const body = { model: 'claude', messages: [{ role: 'system', content: LONG }, { role: 'user', content: 'Hi' }] } as OpenAIChatRequest;
    const call = chatTranslator('openai', 'anthropic', 'anthropic').request(body, ctx('claude-sonnet-4-5-20250929', auto));
    expect(call.promptCache).toBe(1);
    expect((call.body as { system: Json[] }).system.at(-1)!.cache_control).toEqual({ type: 'ephemeral' });
  });
});

describe('prompt_cache: auto on Bedrock and elsewhere', () => {
  test('Bedrock Claude gets cachePoint blocks after the tools and the system prompt', () => {
    const body = { model: 'claude', max_tokens: 10, system: LONG, tools: bigTools, messages: [{ role: 'user', content: 'Hi' }] } as AnthropicMessagesRequest;
    const call = chatTranslator('anthropic', 'bedrock', 'bedrock').request(body, ctx('global.anthropic.claude-sonnet-4-5-20250929-v1:0', { mode: 'auto', ttl: '1h' }));
    const sent = call.body as { system: Json[]; toolConfig: { tools: Json[] } };
    expect(call.promptCache).toBe(2);
    expect(sent.system).toEqual([{ text: LONG }, { cachePoint: { type: 'default', ttl: '1h' } }]);
    expect(sent.toolConfig.tools.at(-1)).toEqual({ cachePoint: { type: 'default', ttl: '1h' } });
    expect(sent.toolConfig.tools.filter((t) => 'cachePoint' in t)).toHaveLength(1);
  });

  test('OpenAI, Gemini and non-Claude Bedrock models: a no-op, reported as the dropped hint prompt_cache', () => {
    const body = { model: 'm', messages: [{ role: 'system', content: LONG }, { role: 'user', content: 'Hi' }] } as OpenAIChatRequest;
    for (const [wire, model] of [['openai', 'gpt-4o'], ['gemini', 'gemini-2.5-flash'], ['bedrock', 'us.amazon.nova-micro-v1:0']] as const) {
      const call = chatTranslator('openai', wire, wire).request(body, ctx(model, auto));
      expect(call.dropped).toContain('prompt_cache');
      expect(call.promptCache).toBeUndefined();
      expect(JSON.stringify(call.body)).not.toMatch(/cache_control|cachePoint/);
    }
  });
});
