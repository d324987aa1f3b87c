import { describe, expect, test } from 'bun:test';
import { GatewayError } from '../lib/errors.ts';
import type { AnthropicMessagesRequest } from '../wire/anthropic.ts';
import type { OpenAIChatRequest } from '../wire/openai.ts';
import { cassette } from '../../test/support/recorded.ts';
import { chatTranslator } from './registry.ts';
import { mergeAnthropicUsage, emptyRawUsage, toUsage } from './anthropic/usage.ts';
import { readConverseUsage } from './bedrock/converse-usage.ts';
import { readOpenAIUsage, toOpenAIUsage } from './openai/usage.ts';
import { readGeminiUsage } from './gemini/usage.ts';

/*
 * Provider prompt caches across translators: Anthropic `cache_control` breakpoints reach Bedrock
 * as `cachePoint` blocks (with their TTL), OpenAI-side markers reach Anthropic as its own, and
 * every provider's cache counters (1-hour writes included) come back in the ledger's Usage.
 */
type Json = Record<string, unknown>;
const bedrockCtx = { model: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', publicModel: 'claude', clientHeaders: new Headers() };
const anthropicCtx = { model: 'claude-sonnet-4-5-20250929', publicModel: 'claude', clientHeaders: new Headers() };
const hour = { type: 'ephemeral', ttl: '1h' } as const;
const five = { type: 'ephemeral' } as const;

function toBedrock(body: Json) {
  const call = chatTranslator('anthropic', 'bedrock', 'bedrock').request({ model: 'claude', max_tokens: 100, ...body } as AnthropicMessagesRequest, bedrockCtx);
  return { body: call.body as { system?: unknown[]; messages: { role: string; content: unknown[] }[]; toolConfig?: { tools: unknown[] } }, dropped: call.dropped };
}

describe('Anthropic Messages → Bedrock Converse: cache_control → cachePoint', () => {
  test('system, tool, user, assistant and tool_result breakpoints each become a cachePoint after their block, TTL kept', () => {
    const { body, dropped } = toBedrock({
      system: [{ type: 'text', text: 'Rules', cache_control: hour }, { type: 'text', text: 'More rules' }],
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: {} }, cache_control: hour }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Q1' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking', cache_control: five },
            { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found', cache_control: five }] },
      ],
    });
    expect(dropped).toBeUndefined();
    expect(body.system).toEqual([{ text: 'Rules' }, { cachePoint: { type: 'default', ttl: '1h' } }, { text: 'More rules' }]);
    expect(body.toolConfig!.tools).toEqual([expect.objectContaining({ toolSpec: expect.objectContaining({ name: 'lookup' }) }), { cachePoint: { type: 'default', ttl: '1h' } }]);
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: [{ text: 'Looking' }, { cachePoint: { type: 'default' } }, { toolUse: { toolUseId: 'toolu_1', name: 'lookup', input: {} } }],
    });
    expect(body.messages[2]!.content).toEqual([{ toolResult: { toolUseId: 'toolu_1', content: [{ text: 'found' }] } }, { cachePoint: { type: 'default' } }]);
  });

  test("top-level cache_control (automatic caching) is a cachePoint after the prompt's last block", () => {
    const { body, dropped } = toBedrock({ cache_control: hour, messages: [{ role: 'user', content: 'Long question' }] });
    expect(dropped).toBeUndefined();
    expect(body.messages[0]!.content).toEqual([{ text: 'Long question' }, { cachePoint: { type: 'default', ttl: '1h' } }]);
  });

  test('a malformed breakpoint is a 400 naming it, not an upstream error', () => {
    const bad = () => toBedrock({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Q', cache_control: { type: 'ephemeral', ttl: '2h' } }] }] });
    expect(bad).toThrow(GatewayError);
    expect(bad).toThrow("messages[0].content[0].cache_control.ttl must be '5m' or '1h'");
    // Not a string that prints as one: an array ['1h'] is refused, not sent upstream.
    const array = () => toBedrock({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Q', cache_control: { type: 'ephemeral', ttl: ['1h'] } }] }] } as never);
    expect(array).toThrow("messages[0].content[0].cache_control.ttl must be '5m' or '1h'");
  });

  test('a model without prompt caching gets no cachePoint and the marker is reported dropped', () => {
    const call = chatTranslator('anthropic', 'bedrock', 'bedrock').request(
      { model: 'x', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'text', text: 'Q', cache_control: five }] }] } as AnthropicMessagesRequest,
      { ...bedrockCtx, model: 'meta.llama3-70b-instruct-v1:0' },
    );
    expect(JSON.stringify(call.body)).not.toContain('cachePoint');
    expect(call.dropped).toEqual(['cache_control']);
  });
});

describe('OpenAI chat → Anthropic: cache_control on parts and tools becomes Anthropic breakpoints', () => {
  test('system and user parts, tools and assistant tool calls keep their marker and TTL', () => {
    const body = {
      model: 'claude',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Long rules', cache_control: hour }] },
        { role: 'user', content: [{ type: 'text', text: 'Q', cache_control: five }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' }, cache_control: five }] },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'r', cache_control: five }] },
      ],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } }, cache_control: hour }],
    } as unknown as OpenAIChatRequest;
    const sent = chatTranslator('openai', 'anthropic', 'anthropic').request(body, anthropicCtx).body as Json;
    expect(sent.system).toEqual([{ type: 'text', text: 'Long rules', cache_control: hour }]);
    expect((sent.tools as Json[])[0]!.cache_control).toEqual(hour);
    const messages = sent.messages as { content: Json[] }[];
    expect(messages[0]!.content).toEqual([{ type: 'text', text: 'Q', cache_control: five }]);
    expect(messages[1]!.content[0]).toMatchObject({ type: 'tool_use', id: 'call_1', cache_control: five });
    expect(messages[2]!.content[0]).toEqual({ type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'r', cache_control: five }] });
  });

  test('a malformed marker is a 400 naming it', () => {
    const body = { model: 'claude', messages: [{ role: 'user', content: [{ type: 'text', text: 'Q', cache_control: { type: 'persistent' } }] }] } as unknown as OpenAIChatRequest;
    expect(() => chatTranslator('openai', 'anthropic', 'anthropic').request(body, anthropicCtx)).toThrow("messages[0].content[0].cache_control.type must be 'ephemeral'");
  });
});

describe('cache counters from every provider, as recorded', () => {
  test('Anthropic: cache_read, cache_creation and its 5m/1h split (recorded cassette, then a 1-hour write)', () => {
    const rec = cassette('anthropic', 'pydantic-ai_test_anthropic_test_anthropic_cache_real_api.yaml')[1]!.response.parsed_body as Json;
    const u = toUsage(mergeAnthropicUsage(emptyRawUsage(), rec.usage));
    expect(u).toMatchObject({ input_tokens: 3 + 1111 + 418, cached_input_tokens: 1111, cache_write_tokens: 418, cache_write_1h_tokens: 0 });
    const withHour = { ...(rec.usage as Json), cache_creation_input_tokens: 418, cache_creation: { ephemeral_5m_input_tokens: 18, ephemeral_1h_input_tokens: 400 } };
    expect(toUsage(mergeAnthropicUsage(emptyRawUsage(), withHour))).toMatchObject({ cache_write_tokens: 418, cache_write_1h_tokens: 400 });
    // A stream's message_delta without cache_creation keeps what message_start reported.
    const started = mergeAnthropicUsage(emptyRawUsage(), withHour);
    expect(toUsage(mergeAnthropicUsage(started, { output_tokens: 9 })).cache_write_1h_tokens).toBe(400);
  });

  test('Bedrock Converse: cacheRead/WriteInputTokens (recorded) and cacheDetails by TTL', () => {
    const [write, read] = cassette('bedrock', 'pydantic-ai_test_bedrock_test_bedrock_cache_write_and_read.yaml').map((i) => (i.response.parsed_body as Json).usage);
    expect(readConverseUsage(write)).toMatchObject({ input_tokens: 1324, cache_write_tokens: 1322, cache_write_1h_tokens: 0 });
    expect(readConverseUsage(read)).toMatchObject({ input_tokens: 1324, cached_input_tokens: 1322 });
    const details = { ...(write as Json), cacheDetails: [{ ttl: '1h', inputTokens: 1000 }, { ttl: '5m', inputTokens: 322 }] };
    expect(readConverseUsage(details)).toMatchObject({ cache_write_tokens: 1322, cache_write_1h_tokens: 1000 });
  });

  test('OpenAI chat cached_tokens (recorded) and Gemini cachedContentTokenCount', () => {
    const [, second] = cassette('openai', 'pydantic-ai_test_openai_prompt_cache_test_openai_chat_prompt_cache_e2e.yaml');
    const u = (second!.response.parsed_body as Json).usage as Json;
    expect(readOpenAIUsage(u).cached_input_tokens).toBe(((u.prompt_tokens_details as Json).cached_tokens as number));
    expect(readOpenAIUsage(u).cached_input_tokens).toBeGreaterThan(0);
    expect(readGeminiUsage({ promptTokenCount: 2000, cachedContentTokenCount: 1500, candidatesTokenCount: 10 })).toMatchObject({ input_tokens: 2000, cached_input_tokens: 1500 });
  });

  test("the OpenAI shape carries a 1-hour write through a translator hop and back", () => {
    const u = readConverseUsage({ inputTokens: 2, outputTokens: 5, cacheReadInputTokens: 0, cacheWriteInputTokens: 1322, cacheDetails: [{ ttl: '1h', inputTokens: 1322 }] });
    const shape = toOpenAIUsage(u);
    expect(shape).toMatchObject({ prompt_tokens: 1324, cache_creation_input_tokens: 1322, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 1322 } });
    expect(readOpenAIUsage(shape)).toEqual(u);
  });
});
