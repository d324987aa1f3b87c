import { afterEach, expect, test } from 'bun:test';
import { createKey } from '../../src/store/keys.ts';
import { budgetApp } from '../support/budget-app.ts';

// Budgets hold a Responses request's true worst case: its max_output_tokens (reasoning
// included), or the cap Tollgate sends when it sets none; the spend is what the provider reported.
const YAML = `
providers: { oai: { type: openai, base_url: "http://upstream.test/v1", api_key: "test-key" } }
models: { m: { provider: oai, model: up-model } }
routing: { retries: { max_retries: 0 } }
prices: { up-model: { input: 10, output: 10 } }
`;
const sent: Record<string, unknown>[] = [];
const upstream = (async (_url: string, init?: RequestInit) => {
  sent.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
  return Response.json({
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    status: 'completed',
    model: 'up-model',
    output: [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'hi', annotations: [] }] }],
    usage: { input_tokens: 1000, input_tokens_details: { cached_tokens: 0 }, output_tokens: 500, output_tokens_details: { reasoning_tokens: 400 }, total_tokens: 1500 },
  });
}) as unknown as typeof fetch;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
  sent.length = 0;
});

test('under a budget, a request without max_output_tokens is sent with a cap, and the reported usage is booked', async () => {
  const t = await budgetApp(YAML, { transport: upstream });
  cleanup = t.close;
  const { key } = await createKey(t.store, { name: 'b', budget: { micros: 1_000_000, period: 'day' } });
  const r = await t.post('/v1/responses', key, { model: 'm', input: 'hi', reasoning: { effort: 'low' } });
  expect(r.status).toBe(200);
  expect(typeof sent[0]!.max_output_tokens).toBe('number');
  expect(sent[0]!.max_output_tokens as number).toBeGreaterThan(0);
  const [row] = await t.rows(1);
  expect(row!.endpoint).toBe('responses');
  expect([row!.usage.input_tokens, row!.usage.output_tokens, row!.usage.reasoning_tokens]).toEqual([1000, 500, 400]);
  expect(row!.cost_micros).toBe(15_000); // 1500 tokens at $10 per 1M
  expect((await t.spend('key')).spent).toBe(15_000);
});

test('a worst case larger than what is left of the budget is refused before anything is sent', async () => {
  const t = await budgetApp(YAML, { transport: upstream });
  cleanup = t.close;
  const { key } = await createKey(t.store, { name: 'small', budget: { micros: 100_000, period: 'day' } });
  // 100,000 output tokens at $10 per 1M is $1, ten times the $0.10 budget.
  const r = await t.post('/v1/responses', key, { model: 'm', input: 'hi', max_output_tokens: 100_000 });
  expect(r.status).toBe(429);
  expect(sent).toHaveLength(0);
  const body = (await r.json()) as { error: { message: string } };
  expect(body.error.message.toLowerCase()).toContain('budget');
});
