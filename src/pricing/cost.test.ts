import { describe, expect, test } from 'bun:test';
import { emptyUsage, type Usage } from '../providers/types.ts';
import { costMicros, ratesFor, worstCaseMicros } from './cost.ts';
import { createPriceBook } from './lookup.ts';
import type { Price } from './types.ts';

const book = createPriceBook({
  'half-micro': { input: 0.5, output: 0 },
  'four-tenths': { input: 0.4, output: 0.4 },
  'priced-reasoning': { input: 1.1, output: 4.4, reasoning: 8.8 },
});

function price(scope: Parameters<typeof book.lookup>[0], model: string): Price {
  const p = book.lookup(scope, model);
  if (!p) throw new Error(`no price for ${model}`);
  return p;
}

const usage = (u: Partial<Usage>): Usage => ({ ...emptyUsage(), ...u });

describe('costMicros', () => {
  test('1,234 input + 567 output tokens of gpt-4o-mini: 185.1 + 340.2 = 525.3 → 525 µ$', () => {
    expect(costMicros(usage({ input_tokens: 1234, output_tokens: 567 }), price('openai', 'gpt-4o-mini'))).toBe(525);
  });

  test('cached input is billed at the cache-read rate and not again as input', () => {
    // 6,000 × 0.15 + 4,000 × 0.075 + 1,000 × 0.60 = 900 + 300 + 600
    const u = usage({ input_tokens: 10_000, cached_input_tokens: 4_000, output_tokens: 1_000 });
    expect(costMicros(u, price('openai', 'gpt-4o-mini'))).toBe(1_800);
  });

  test('Anthropic usage: wire input 100 + cache read 2,000 + cache write 1,000 → Usage input 3,100', () => {
    // 100 × $3 + 2,000 × $0.30 + 1,000 × $3.75 (5-minute write) + 500 × $15, per 1M tokens
    const u = usage({ input_tokens: 3_100, cached_input_tokens: 2_000, cache_write_tokens: 1_000, output_tokens: 500 });
    expect(costMicros(u, price('anthropic', 'claude-sonnet-4-5-20250929'))).toBe(300 + 600 + 3_750 + 7_500);
  });

  test('1-hour cache writes are billed at 2x input, the rest of the writes at the 5-minute 1.25x', () => {
    // 100 × $3 + 2,000 × $0.30 + 600 × $3.75 (5m) + 400 × $6 (1h) + 500 × $15, per 1M tokens
    const u = usage({ input_tokens: 3_100, cached_input_tokens: 2_000, cache_write_tokens: 1_000, cache_write_1h_tokens: 400, output_tokens: 500 });
    expect(costMicros(u, price('anthropic', 'claude-sonnet-4-5-20250929'))).toBe(300 + 600 + 2_250 + 2_400 + 7_500);
    // Bedrock Claude (global profile) prices them alike.
    expect(costMicros(u, price('bedrock', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0'))).toBe(300 + 600 + 2_250 + 2_400 + 7_500);
    // More 1-hour tokens than writes (a malformed report) never bills a token twice.
    const over = usage({ input_tokens: 1_000, cache_write_tokens: 1_000, cache_write_1h_tokens: 5_000 });
    expect(costMicros(over, price('anthropic', 'claude-sonnet-4-5-20250929'))).toBe(6_000);
  });

  test("docs/pricing.md's worked example: 11 + 1,000 read + 600 5-minute + 400 1-hour written + 500 out on Sonnet 4.5 = 12,483 µ$", () => {
    const u = usage({ input_tokens: 2_011, cached_input_tokens: 1_000, cache_write_tokens: 1_000, cache_write_1h_tokens: 400, output_tokens: 500 });
    expect(costMicros(u, price('anthropic', 'claude-sonnet-4-5'))).toBe(12_483);
  });

  test('a price without a 1-hour write rate bills 1-hour writes at its cache_write rate', () => {
    const b = createPriceBook({ 'own-model': { input: 1, output: 2, cache_write: 1.5 } });
    const u = usage({ input_tokens: 1_000, cache_write_tokens: 1_000, cache_write_1h_tokens: 1_000 });
    expect(costMicros(u, b.lookup('mock', 'own-model')!)).toBe(1_500);
  });

  test('Bedrock regional profile pays the 10% uplift, global does not', () => {
    const u = usage({ input_tokens: 100_000 });
    expect(costMicros(u, price('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'))).toBe(330_000);
    expect(costMicros(u, price('bedrock', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0'))).toBe(300_000);
  });

  test('reasoning tokens are billed at the output rate when no reasoning rate is set', () => {
    // 1,000 × 1.10 + 3,000 × 4.40 (500 visible + 2,500 reasoning)
    const u = usage({ input_tokens: 1_000, output_tokens: 3_000, reasoning_tokens: 2_500 });
    expect(costMicros(u, price('openai', 'o4-mini'))).toBe(1_100 + 13_200);
  });

  test('reasoning tokens are billed at the reasoning rate when one is set', () => {
    // 1,000 × 1.10 + 500 × 4.40 + 2,500 × 8.80
    const u = usage({ input_tokens: 1_000, output_tokens: 3_000, reasoning_tokens: 2_500 });
    expect(costMicros(u, price('mock', 'priced-reasoning'))).toBe(1_100 + 2_200 + 22_000);
  });

  test('one rounding, half up, on the total', () => {
    const half = price('mock', 'half-micro'); // 500,000 pico-USD per token
    expect(costMicros(usage({ input_tokens: 1 }), half)).toBe(1); // 0.5 → 1
    expect(costMicros(usage({ input_tokens: 3 }), half)).toBe(2); // 1.5 → 2
    // 0.4 + 0.4 = 0.8 → 1; rounding each component first would give 0.
    expect(costMicros(usage({ input_tokens: 1, output_tokens: 1 }), price('mock', 'four-tenths'))).toBe(1);
    expect(costMicros(usage({ input_tokens: 1 }), price('mock', 'four-tenths'))).toBe(0); // 0.4 → 0
  });

  test('the long-context tier starts above the threshold and prices every token', () => {
    const pro = price('gemini', 'gemini-2.5-pro');
    expect(costMicros(usage({ input_tokens: 200_000 }), pro)).toBe(250_000); // × $1.25
    // 200,001 × $2.50 = 500,002.5 → 500,003 (half up)
    expect(costMicros(usage({ input_tokens: 200_001 }), pro)).toBe(500_003);
    // Cached and written tokens count towards the threshold (Haiku 5.5: over 100,000).
    const haiku = price('anthropic', 'claude-haiku-5-5');
    const u = usage({ input_tokens: 100_001, cached_input_tokens: 100_000, output_tokens: 1_000 });
    // 1 × $0.50 + 100,000 × $0.05 + 1,000 × $2.50 = 0.5 + 5,000 + 2,500 → 7,500.5 → 7,501
    expect(costMicros(u, haiku)).toBe(7_501);
    expect(ratesFor(haiku, 100_000)).toEqual(haiku.micros_per_mtok);
  });

  test('uncached input and visible output never go below zero', () => {
    // Inconsistent counters: cached + written exceed input, reasoning exceeds output.
    const u = usage({ input_tokens: 100, cached_input_tokens: 80, cache_write_tokens: 50, output_tokens: 10, reasoning_tokens: 20 });
    // 80 × 0.30 + 50 × 3.75 + 20 × 15 = 24 + 187.5 + 300 = 511.5 → 512
    expect(costMicros(u, price('anthropic', 'claude-sonnet-4-5'))).toBe(512);
  });

  test('embeddings cost input only', () => {
    expect(costMicros(usage({ input_tokens: 123_456 }), price('openai', 'text-embedding-3-small'))).toBe(2_469); // 2,469.12
  });

  test('rejects counters that are not whole numbers >= 0', () => {
    const p = price('openai', 'gpt-4o-mini');
    expect(() => costMicros(usage({ input_tokens: -1 }), p)).toThrow(RangeError);
    expect(() => costMicros(usage({ output_tokens: 1.5 }), p)).toThrow(/output_tokens/);
    expect(() => costMicros(usage({ reasoning_tokens: Number.NaN }), p)).toThrow(RangeError);
  });
});

describe('worstCaseMicros', () => {
  test('input at the dearest input rate (a 5-minute write), output at max tokens, rounded up', () => {
    // 1,000 × $3.75 + 500 × $15
    expect(worstCaseMicros(1_000, 500, price('anthropic', 'claude-sonnet-4-5'))).toBe(3_750 + 7_500);
    expect(worstCaseMicros(1, 0, price('openai', 'gpt-4o-mini'))).toBe(1); // 0.15 → 1
    expect(worstCaseMicros(0, 0, price('openai', 'gpt-4o-mini'))).toBe(0);
  });

  test('a request that asks for 1-hour cache writes reserves its input at the 1-hour write rate', () => {
    // 1,000 × $6 (2 × $3) + 500 × $15
    expect(worstCaseMicros(1_000, 500, price('anthropic', 'claude-sonnet-4-5'), { hourWrites: true })).toBe(6_000 + 7_500);
    expect(worstCaseMicros(1_000, 500, price('anthropic', 'claude-sonnet-4-5'), { hourWrites: true })).toBeGreaterThanOrEqual(
      costMicros(usage({ input_tokens: 1_000, cache_write_tokens: 1_000, cache_write_1h_tokens: 1_000, output_tokens: 500 }), price('anthropic', 'claude-sonnet-4-5')),
    );
  });

  test('uses the reasoning rate when it is dearer than output', () => {
    expect(worstCaseMicros(0, 1_000, price('mock', 'priced-reasoning'))).toBe(8_800);
  });

  test('uses the long-context tier when the input is over the threshold', () => {
    expect(worstCaseMicros(300_000, 0, price('openai', 'gpt-5.4'))).toBe(1_500_000); // × $5
  });

  test('is never below the cost of any usage within its bounds', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % (n + 1);
    };
    const models: [Parameters<typeof book.lookup>[0], string][] = [
      ['anthropic', 'claude-haiku-5-5'],
      ['openai', 'gpt-5.6-sol'],
      ['gemini', 'gemini-2.5-pro'],
      ['bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ];
    for (const [scope, model] of models) {
      const p = price(scope, model);
      for (let i = 0; i < 200; i++) {
        const input = rand(400_000);
        const cached = rand(input);
        const written = rand(input - cached);
        const output = rand(20_000);
        const u = usage({ input_tokens: input, cached_input_tokens: cached, cache_write_tokens: written, output_tokens: output, reasoning_tokens: rand(output) });
        expect(worstCaseMicros(input, output, p)).toBeGreaterThanOrEqual(costMicros(u, p));
      }
    }
  });

  test('rejects bad counts', () => {
    expect(() => worstCaseMicros(-1, 10, price('openai', 'gpt-4o-mini'))).toThrow(/inputTokens/);
  });
});
