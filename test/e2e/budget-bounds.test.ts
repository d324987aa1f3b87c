import { afterEach, describe, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKey } from '../../src/store/keys.ts';
import { budgetApp, ledgerMicros } from '../support/budget-app.ts';

// Output at $10 per 1M tokens = 10 µ$ a token; input at $1 per 1M = 1 µ$ a token.
const YAML = `
providers: { mock: { type: mock } }
models:
  long: { provider: mock, model: mock/long-1000 }
  novel: { provider: mock, model: mock/long-16000 }
  capped: { provider: mock, model: mock/long-9000 }
  free: { provider: mock, model: mock/ok }
prices:
  mock/long-1000: { input: 1, output: 10 }
  mock/long-16000: { input: 1, output: 10 }
  mock/long-9000: { input: 1, output: 10, max_output_tokens: 2000 }
`;
const hi = [{ role: 'user', content: 'hi' }];
const dollars = (n: number) => Math.round(n * 1e6);

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setup() {
  const t = await budgetApp(YAML);
  cleanup = t.close;
  return t;
}

describe('finding 1: the budget hold is a true upper bound of what the provider can bill', () => {
  test('n=128, max_tokens=300 against a $0.05/day key is refused before it is sent', async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'n', budget: { micros: dollars(0.05), period: 'day' } });
    const r = await t.post('/v1/chat/completions', key, { model: 'long', n: 128, max_tokens: 300, messages: hi });
    expect(r.status).toBe(429);
    // A request within the budget is billed for every choice it got.
    const ok = await t.post('/v1/chat/completions', key, { model: 'long', n: 2, max_tokens: 300, messages: hi });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { choices: unknown[]; usage: { completion_tokens: number } };
    expect(body.choices.length).toBe(2);
    expect(body.usage.completion_tokens).toBe(600);
    const { spent } = await t.spend('key');
    console.log(`n=128 single: spent ${spent} µ$ of ${dollars(0.05)}`);
    expect(spent).toBe(ledgerMicros(t.records));
    expect(spent).toBeLessThanOrEqual(dollars(0.05));
  });

  test('32 parallel n=128, max_tokens=300 requests against $1/day spend at most $1', async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'par', budget: { micros: dollars(1), period: 'day' } });
    const statuses = await Promise.all(Array.from({ length: 32 }, () => t.post('/v1/chat/completions', key, { model: 'long', n: 128, max_tokens: 300, messages: hi }).then((r) => r.status)));
    const { spent, reserved } = await t.spend('key');
    console.log(`32 × n=128: ${statuses.filter((s) => s === 200).length} served, spent ${spent} µ$ of ${dollars(1)}`);
    expect(statuses.filter((s) => s === 200).length).toBe(2);
    expect(spent).toBeLessThanOrEqual(dollars(1));
    expect(spent).toBe(ledgerMicros(t.records));
    expect(reserved).toBeGreaterThanOrEqual(0);
  });

  test('without max_tokens Tollgate sends a cap, so a model that writes 16k tokens stays inside the hold', async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'nocap', budget: { micros: dollars(0.5), period: 'day' } });
    const results = await Promise.all(Array.from({ length: 20 }, () => t.post('/v1/chat/completions', key, { model: 'novel', messages: hi })));
    const served = results.filter((r) => r.status === 200);
    expect(served.length).toBeGreaterThan(0);
    expect(served[0]!.headers.get('x-tollgate-max-tokens')).toBe('4096');
    const usage = ((await served[0]!.json()) as { usage: { completion_tokens: number } }).usage;
    expect(usage.completion_tokens).toBe(4096);
    const { spent } = await t.spend('key');
    console.log(`no max_tokens, 20 parallel: ${served.length} served, spent ${spent} µ$ of ${dollars(0.5)}`);
    expect(spent).toBeLessThanOrEqual(dollars(0.5));
    // The model's known maximum output, when the price list has one, is the cap sent.
    const { key: other } = await createKey(t.store, { name: 'other', budget: { micros: dollars(0.5), period: 'day' } });
    const capped = await t.post('/v1/chat/completions', other, { model: 'capped', messages: hi });
    expect(capped.headers.get('x-tollgate-max-tokens')).toBe('2000');
    expect(((await capped.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(2000);
  });
});

describe('finding 3: an unpriced model cannot skip a budget', () => {
  test('a budgeted key is refused on an unpriced model with the prices: fix; an unbudgeted one is served', async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'b', budget: { micros: dollars(0.05), period: 'day' } });
    const r = await t.post('/v1/chat/completions', key, { model: 'free', messages: hi });
    expect(r.status).toBe(403);
    const err = ((await r.json()) as { error: { message: string; code: string } }).error;
    expect(err.code).toBe('model_unpriced');
    expect(err.message).toContain("'mock/ok'");
    expect(err.message).toContain('prices:');
    const m = await t.post('/v1/messages', key, { model: 'free', max_tokens: 10, messages: hi });
    expect(m.status).toBe(403);
    const { key: open } = await createKey(t.store, { name: 'open' });
    expect((await t.post('/v1/chat/completions', open, { model: 'free', messages: hi })).status).toBe(200);
  });
});

test('config check warns about every routable model without a price', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'tg-unpriced-')), 'gateway.config.yaml');
  writeFileSync(file, YAML);
  const p = Bun.spawn([process.execPath, resolve(import.meta.dir, '../../src/main.ts'), 'config', 'check', file], { stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  expect(code).toBe(0);
  expect(out).toContain('OK');
  expect(err).toContain("model 'free' (mock/mock/ok) has no price");
  expect(err.split('has no price').length - 1).toBe(1);
});

describe('finding 5: tpm holds prompt plus output bound at admission', () => {
  test('40 parallel requests of ~900 tokens each do not pass a tpm of 2,000', async () => {
    const t = await setup();
    const { key } = await createKey(t.store, { name: 'tpm', tpm: 2000 });
    const results = await Promise.all(Array.from({ length: 40 }, () => t.post('/v1/chat/completions', key, { model: 'long', max_tokens: 900, messages: hi })));
    const admitted = results.filter((r) => r.status === 200).length;
    const used = (await t.rows(40)).filter((r) => r.status === 200).reduce((n, r) => n + r.usage.input_tokens + r.usage.output_tokens, 0);
    console.log(`tpm 2000: admitted ${admitted} of 40, ${used} tokens used`);
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThan(30);
    expect(used).toBeLessThanOrEqual(2000);
  });
});
