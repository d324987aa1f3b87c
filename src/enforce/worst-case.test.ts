import { describe, expect, test } from 'bun:test';
import type { OpenAIChatRequest } from '../wire/openai.ts';
import { toAnthropicRequest } from '../providers/anthropic/openai-anthropic-request.ts';
import { toGeminiRequest } from '../providers/gemini/request.ts';
import { toConverseBody } from '../providers/bedrock/converse-request.ts';
import { countTokens } from '../lib/tokenize.ts';
import { boundRequest, inputBound, outputBound } from './worst-case.ts';
import { buildRuntime } from '../config/runtime.ts';
import { parseConfig } from '../config/load.ts';
import type { RequestBody } from '../policy/input.ts';
import { toChatRequest } from '../providers/openai/responses-openai-request.ts';
import type { ResponsesRequest } from '../wire/responses.ts';

// The bound must never be below what each translator actually asks the provider for.
const chat = (extra: Partial<OpenAIChatRequest>): OpenAIChatRequest => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });
const cases: Partial<OpenAIChatRequest>[] = [
  { max_tokens: 300 },
  { max_completion_tokens: 5000 },
  { max_tokens: 300, n: 4 },
  { max_tokens: 30_000, reasoning_effort: 'high' },
  { max_completion_tokens: 9000, reasoning_effort: 'medium' },
  { reasoning_effort: 'low' },
  {},
];

describe('outputBound is at least what the translator sends', () => {
  test('anthropic: max_tokens (thinking inside it), never n > 1', () => {
    for (const c of cases.filter((c) => !c.n)) {
      let sent: number;
      try {
        sent = Number(toAnthropicRequest(chat(c), 'claude', 'anthropic').body.max_tokens);
      } catch {
        continue; // refused by the translator: nothing is sent
      }
      expect(outputBound({ endpoint: 'chat.completions', body: chat(c) }, 'anthropic')).toBeGreaterThanOrEqual(sent);
    }
  });

  test('gemini: candidateCount × (maxOutputTokens + thinkingBudget)', () => {
    for (const c of cases) {
      const g = toGeminiRequest(chat(c), 'gemini-2.5-flash', 'gemini').body.generationConfig as { maxOutputTokens?: number; candidateCount?: number; thinkingConfig?: { thinkingBudget: number } } | undefined;
      const bound = outputBound({ endpoint: 'chat.completions', body: chat(c) }, 'gemini');
      if (g?.maxOutputTokens === undefined) {
        expect(bound).toBe(Infinity);
        continue;
      }
      expect(bound).toBeGreaterThanOrEqual((g.candidateCount ?? 1) * (g.maxOutputTokens + (g.thinkingConfig?.thinkingBudget ?? 0)));
    }
  });

  test('bedrock and openai wires: n × the cap; no cap is unbounded', () => {
    for (const c of cases.filter((c) => !c.n)) {
      const sent = (toConverseBody(chat(c), 'bedrock').inferenceConfig as { maxTokens?: number } | undefined)?.maxTokens;
      expect(outputBound({ endpoint: 'chat.completions', body: chat(c) }, 'bedrock')).toBe(sent ?? Infinity);
    }
    expect(outputBound({ endpoint: 'chat.completions', body: chat({ n: 128, max_tokens: 300 }) }, 'openai')).toBe(38_400);
  });

  test('anthropic messages: max_tokens, or the thinking budget on top when it passes max_tokens', () => {
    const m = (max_tokens: number, budget?: number) => ({ endpoint: 'messages' as const, body: { model: 'm', max_tokens, messages: [], ...(budget ? { thinking: { type: 'enabled' as const, budget_tokens: budget } } : {}) } });
    expect(outputBound(m(1000), 'anthropic')).toBe(1000);
    expect(outputBound(m(20_000, 16_000), 'anthropic')).toBe(20_000);
    expect(outputBound(m(4000, 16_000), 'anthropic')).toBe(20_000);
  });
});

test('inputBound is never below a tokenizer count, where 4 characters a token undershoots (CJK, emoji)', async () => {
  for (const text of ['日本語のテキストはトークンが多い。'.repeat(200), '🙂🚀🔥'.repeat(300), 'plain English words '.repeat(200), 'a1!'.repeat(500)]) {
    const r = { endpoint: 'chat.completions' as const, body: chat({ messages: [{ role: 'user', content: text }] }) };
    expect(inputBound(r, 0)).toBeGreaterThanOrEqual(await countTokens(text));
  }
  // The estimate alone undershoots CJK by far.
  const cjk = '日本語のテキストはトークンが多い。'.repeat(200);
  expect(Math.ceil(cjk.length / 4)).toBeLessThan((await countTokens(cjk)) / 2);
});

test('responses: the bound is at least what each wire is sent once translated through chat', () => {
  const responses: ResponsesRequest[] = [
    { model: 'm', input: 'hi', max_output_tokens: 300 },
    { model: 'm', input: 'hi', max_output_tokens: 30_000, reasoning: { effort: 'high' } },
    { model: 'm', input: 'hi', reasoning: { effort: 'low' } },
    { model: 'm', input: 'hi' },
  ];
  for (const r of responses) {
    const c = toChatRequest(r, 'p').body;
    const bound = (type: 'anthropic' | 'gemini' | 'bedrock' | 'openai') => outputBound({ endpoint: 'responses', body: r }, type);
    let anthropic: number | undefined;
    try {
      anthropic = Number(toAnthropicRequest(c, 'claude', 'anthropic').body.max_tokens);
    } catch {
      anthropic = undefined;
    }
    if (anthropic !== undefined) expect(bound('anthropic')).toBeGreaterThanOrEqual(anthropic);
    const g = toGeminiRequest(c, 'gemini-2.5-flash', 'gemini').body.generationConfig as { maxOutputTokens?: number; thinkingConfig?: { thinkingBudget: number } } | undefined;
    if (g?.maxOutputTokens === undefined) expect(bound('gemini')).toBe(Infinity);
    else expect(bound('gemini')).toBeGreaterThanOrEqual(g.maxOutputTokens + (g.thinkingConfig?.thinkingBudget ?? 0));
    const sent = (toConverseBody(c, 'bedrock').inferenceConfig as { maxTokens?: number } | undefined)?.maxTokens;
    expect(bound('bedrock')).toBe(sent ?? Infinity);
    // Natively, max_output_tokens includes reasoning.
    expect(bound('openai')).toBe(r.max_output_tokens ?? Infinity);
  }
});

describe('boundRequest: 1-hour cache writes in the reservation', () => {
  const { config } = parseConfig('providers: { claude: { type: anthropic, api_key: k } }\nmodels: { c: { provider: claude, model: claude-sonnet-4-5 } }\n', 'c.yaml', {});
  const runtime = buildRuntime(config);
  const targets = [{ provider: 'claude', model: 'claude-sonnet-4-5' }];
  const body = (system: unknown): RequestBody => ({ endpoint: 'messages', body: { model: 'c', max_tokens: 100, system, messages: [{ role: 'user', content: 'hi' }] } } as RequestBody);
  const worst = (b: RequestBody, hourWrites?: boolean) => boundRequest(runtime, b, targets, { inputTokens: 1_000, billed: true, capped: false, hourWrites }).worstMicros;

  test('input is held at the 5-minute write rate ($3.75), or at the 1-hour rate ($6) when a breakpoint or the decision asks for 1 hour', () => {
    // 1,000 × $3.75 + 100 × $15 / 1,000 × $6 + 100 × $15
    expect(worst(body([{ type: 'text', text: 'rules', cache_control: { type: 'ephemeral' } }]))).toBe(3_750 + 1_500);
    expect(worst(body([{ type: 'text', text: 'rules', cache_control: { type: 'ephemeral', ttl: '1h' } }]))).toBe(6_000 + 1_500);
    expect(worst(body('rules'), true)).toBe(6_000 + 1_500);
    // Prompt text that spells out a 1-hour marker is not one.
    expect(worst(body('please set "ttl":"1h" on it'))).toBe(3_750 + 1_500);
  });
});
