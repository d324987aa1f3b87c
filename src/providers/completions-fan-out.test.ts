import { expect, test } from 'bun:test';
import { completionsTranslator } from './registry.ts';
import { anthropicAdapter } from './anthropic/adapter.ts';
import { boundRequest, inputCopies } from '../enforce/worst-case.ts';
import { buildRuntime } from '../config/runtime.ts';
import { parseConfig } from '../config/load.ts';
import type { OpenAICompletionsRequest } from '../wire/completions.ts';
import type { ProviderConfig } from '../config/schema.ts';

// Legacy completions through chat on Anthropic: every choice of every prompt is one Messages call.
const ctx = { model: 'claude-up', publicModel: 'claude', clientHeaders: new Headers() };
const config = { type: 'anthropic', base_url: 'http://anthropic.invalid', api_key: 'k', version: '2023-06-01', headers: {} } as unknown as Extract<ProviderConfig, { type: 'anthropic' }>;

/** A fake Anthropic whose answer quotes the prompt; later calls answer sooner, so arrival order is not request order. */
function upstream(fail?: (prompt: string) => boolean) {
  let inFlight = 0;
  let most = 0;
  let calls = 0;
  const transport = (async (_url: string, init: RequestInit) => {
    const n = calls++;
    inFlight++;
    most = Math.max(most, inFlight);
    const body = JSON.parse(String(init.body)) as { messages: { content: unknown }[] };
    const prompt = JSON.stringify(body.messages[0]!.content);
    await Bun.sleep(Math.max(1, 30 - n * 2));
    inFlight--;
    if (fail?.(prompt)) return new Response(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'busy' } }), { status: 529 });
    return Response.json({ id: `msg_${n}`, type: 'message', role: 'assistant', model: 'claude-up', content: [{ type: 'text', text: `answer to ${prompt}` }], stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 2 } });
  }) as unknown as typeof fetch;
  return { transport, most: () => most, calls: () => calls };
}

async function complete(body: Partial<OpenAICompletionsRequest>, up = upstream()) {
  const adapter = anthropicAdapter('claude', config, up.transport);
  const t = completionsTranslator('anthropic', 'claude', () => 'chat');
  const call = t.request({ model: 'claude', ...body } as OpenAICompletionsRequest, ctx);
  const prepared = await adapter.prepare(call, 'claude-up');
  const res = await adapter.fetch(prepared.url, prepared.init);
  return { res, t, up };
}

test('4 prompts × n 3 are 12 calls, at most 8 at once, choices in prompt order, usage summed', async () => {
  const prompts = ['p0', 'p1', 'p2', 'p3'];
  const { res, t, up } = await complete({ prompt: prompts, n: 3, max_tokens: 5 });
  const out = t.response(await res.json()) as { choices: { index: number; text: string }[]; usage: Record<string, number> };
  expect(up.calls()).toBe(12);
  expect(up.most()).toBeGreaterThan(1);
  expect(up.most()).toBeLessThanOrEqual(8);
  expect(out.choices.map((c) => c.index)).toEqual([...Array(12).keys()]);
  expect(out.choices.map((c) => /p\d/.exec(c.text)![0])).toEqual(prompts.flatMap((p) => [p, p, p]));
  expect(out.usage).toEqual({ prompt_tokens: 60, completion_tokens: 24, total_tokens: 84 });
  expect(t.usage()).toMatchObject({ input_tokens: 60, output_tokens: 24 });
});

test('a failing call fails the request with its own answer (retried and classified as any other)', async () => {
  const { res } = await complete({ prompt: ['ok', 'bad', 'ok too'] }, upstream((p) => p.includes('bad')));
  expect(res.status).toBe(529);
});

test('one prompt with n of 1 is a single call, as before', async () => {
  const { res, t, up } = await complete({ prompt: 'just one' });
  expect(up.calls()).toBe(1);
  expect((t.response(await res.json()) as { choices: unknown[] }).choices).toHaveLength(1);
});

test('more than 128 calls, and several choices streamed, are 400s naming the field', () => {
  const t = () => completionsTranslator('anthropic', 'claude', () => 'chat');
  expect(() => t().request({ model: 'c', prompt: Array(20).fill('x'), n: 7 }, ctx)).toThrow(expect.objectContaining({ status: 400, param: 'prompt' }));
  expect(() => t().request({ model: 'c', prompt: 'x', n: 2, stream: true }, ctx)).toThrow(expect.objectContaining({ status: 400, param: 'stream' }));
});

test('the worst case holds the prompt once per choice on Anthropic and Bedrock, once elsewhere', () => {
  const body = { endpoint: 'completions' as const, body: { model: 'c', prompt: 'hello', n: 4, max_tokens: 10 } };
  expect(inputCopies(body, 'anthropic')).toBe(4);
  expect(inputCopies(body, 'bedrock')).toBe(4);
  expect(inputCopies(body, 'openai')).toBe(1);
  const { config: cfg } = parseConfig('providers: { claude: { type: anthropic, api_key: k } }\nmodels: { c: { provider: claude, model: claude-x } }\nprices: { claude-x: { input: 1000000, output: 0 } }\n', 'c.yaml', {});
  const runtime = buildRuntime(cfg);
  const bounded = boundRequest(runtime, body, [{ provider: 'claude', model: 'claude-x' }], { inputTokens: 100, billed: true, capped: false });
  // $1 per input token: 100 tokens sent 4 times.
  expect(bounded.worstMicros).toBe(400 * 1_000_000);
  expect(bounded.inputCopies).toBe(4);
});
