import { describe, expect, test } from 'bun:test';
import { catalogFacts } from './facts.ts';
import { createPriceBook } from './lookup.ts';
import { priceOverridesSchema } from './overrides.ts';
import type { PriceScope } from './types.ts';
import { canonicalJson, priceListVersion, priceListVersionOf } from './version.ts';

const book = createPriceBook();

/** [matched key, how, input rate in µ$/1M] or undefined. */
function hit(scope: PriceScope, model: string) {
  const p = book.lookup(scope, model);
  return p && [p.model, p.match, p.micros_per_mtok.input];
}

describe('lookup: OpenAI and Azure', () => {
  test('exact, case-insensitive, and dated snapshots', () => {
    expect(hit('openai', 'gpt-4o-mini')).toEqual(['gpt-4o-mini', 'exact', 150_000]);
    expect(hit('openai', 'GPT-4o-Mini')).toEqual(['gpt-4o-mini', 'exact', 150_000]);
    expect(hit('openai', 'gpt-4o-mini-2024-07-18')).toEqual(['gpt-4o-mini', 'normalised', 150_000]);
    expect(hit('openai', 'gpt-4.1-nano-2025-04-14')).toEqual(['gpt-4.1-nano', 'normalised', 100_000]);
    expect(hit('openai', 'o3-2025-04-16')).toEqual(['o3', 'normalised', 2_000_000]);
  });
  test('a snapshot priced apart keeps its own row', () => {
    expect(hit('openai', 'gpt-4o-2024-05-13')).toEqual(['gpt-4o-2024-05-13', 'exact', 5_000_000]);
    expect(hit('openai', 'gpt-4o-2024-08-06')).toEqual(['gpt-4o', 'normalised', 2_500_000]);
  });
  test('family prefixes stop at a segment boundary', () => {
    expect(hit('openai', 'gpt-5-mini-2025-08-07')).toEqual(['gpt-5-mini', 'normalised', 250_000]);
    expect(hit('openai', 'gpt-5.4-mini-2026-03-17')).toEqual(['gpt-5.4-mini', 'normalised', 750_000]);
    expect(hit('openai', 'gpt-4o-mini-search-preview')).toEqual(['gpt-4o-mini', 'family', 150_000]);
    expect(hit('openai', 'gpt-5.7')).toBeUndefined(); // not gpt-5
    expect(hit('openai', 'gpt-4')).toBeUndefined(); // not gpt-4o
    expect(hit('openai', 'o3x')).toBeUndefined();
  });
  test('embeddings', () => {
    expect(hit('openai', 'text-embedding-3-large')).toEqual(['text-embedding-3-large', 'exact', 130_000]);
  });
  test('Azure is priced by the underlying OpenAI model', () => {
    expect(book.lookup('azure', 'gpt-4o')?.vendor).toBe('openai');
    expect(hit('azure', 'gpt-4.1-mini-2025-04-14')).toEqual(['gpt-4.1-mini', 'normalised', 400_000]);
  });
});

describe('lookup: Anthropic', () => {
  test('dated ids, -latest aliases, Vertex @versions, -0 aliases', () => {
    expect(hit('anthropic', 'claude-sonnet-4-5-20250929')).toEqual(['claude-sonnet-4-5', 'normalised', 3_000_000]);
    expect(hit('anthropic', 'claude-3-5-haiku-latest')).toEqual(['claude-3-5-haiku', 'normalised', 800_000]);
    expect(hit('anthropic', 'claude-3-7-sonnet-20250219')).toEqual(['claude-3-7-sonnet', 'normalised', 3_000_000]);
    expect(hit('anthropic', 'claude-sonnet-4-5@20250929')).toEqual(['claude-sonnet-4-5', 'normalised', 3_000_000]);
    expect(hit('anthropic', 'claude-opus-4-0')).toEqual(['claude-opus-4', 'family', 15_000_000]);
    expect(hit('anthropic', 'claude-opus-4-1-20250805')).toEqual(['claude-opus-4-1', 'normalised', 15_000_000]);
    expect(hit('anthropic', 'claude-haiku-4-5-20251001')).toEqual(['claude-haiku-4-5', 'normalised', 1_000_000]);
  });
  test('the cache read, 5-minute write (1.25x input) and 1-hour write (2x input) rates', () => {
    const p = book.lookup('anthropic', 'claude-haiku-4-5');
    expect(p?.micros_per_mtok).toEqual({ input: 1_000_000, output: 5_000_000, cached_input: 100_000, cache_write: 1_250_000, cache_write_1h: 2_000_000, reasoning: 5_000_000 });
    expect(book.lookup('bedrock', 'global.anthropic.claude-sonnet-4-6')?.micros_per_mtok.cache_write_1h).toBe(6_000_000);
    // The long-context tier doubles its own input rate.
    expect(book.lookup('anthropic', 'claude-sonnet-4-5')?.long_context?.micros_per_mtok.cache_write_1h).toBe(12_000_000);
  });
});

describe('lookup: Gemini', () => {
  test('models/ prefix, -001 versions, previews', () => {
    expect(hit('gemini', 'models/gemini-2.5-pro')).toEqual(['gemini-2.5-pro', 'normalised', 1_250_000]);
    expect(hit('gemini', 'gemini-2.0-flash-001')).toEqual(['gemini-2.0-flash', 'family', 100_000]);
    expect(hit('gemini', 'gemini-2.5-flash-lite-preview-09-2025')).toEqual(['gemini-2.5-flash-lite', 'family', 100_000]);
    expect(hit('gemini', 'gemini-2.5-flash-preview-09-2025')).toEqual(['gemini-2.5-flash', 'family', 300_000]);
    expect(hit('gemini', 'models/gemini-3.1-pro-preview')).toEqual(['gemini-3.1-pro', 'family', 2_000_000]);
    expect(hit('gemini', 'gemini-embedding-001')).toEqual(['gemini-embedding-001', 'exact', 150_000]);
  });
});

describe('lookup: Bedrock', () => {
  const haiku = 'anthropic.claude-3-5-haiku-20241022-v1:0';
  test('Claude ids with and without geographic inference-profile prefixes', () => {
    expect(hit('bedrock', haiku)).toEqual([haiku, 'exact', 800_000]);
    for (const prefix of ['us.', 'eu.', 'apac.', 'jp.'])
      expect(hit('bedrock', `${prefix}${haiku}`)).toEqual([haiku, 'normalised', 800_000]);
    expect(hit('bedrock', 'anthropic.claude-3-5-haiku-20241022-v1')).toEqual([haiku, 'normalised', 800_000]);
  });
  test('global. profiles have their own price; regional ones pay 10% more', () => {
    const id = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
    expect(hit('bedrock', `global.${id}`)).toEqual([`global.${id}`, 'exact', 3_000_000]);
    expect(hit('bedrock', `us.${id}`)).toEqual([id, 'normalised', 3_300_000]);
    expect(hit('bedrock', 'global.anthropic.claude-opus-4-6-v1:0')).toEqual(['global.anthropic.claude-opus-4-6-v1', 'normalised', 5_000_000]);
    // No global row: the regional price, never less.
    expect(hit('bedrock', `global.${haiku}`)).toEqual([haiku, 'normalised', 800_000]);
  });
  test('GovCloud ids are unknown rather than mispriced', () => {
    expect(hit('bedrock', 'us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBeUndefined();
  });
  test('Nova, Titan, Llama and Mistral on Bedrock', () => {
    expect(hit('bedrock', 'us.amazon.nova-pro-v1:0')).toEqual(['amazon.nova-pro-v1:0', 'normalised', 800_000]);
    expect(hit('bedrock', 'amazon.nova-micro-v1:0')).toEqual(['amazon.nova-micro-v1:0', 'exact', 35_000]);
    expect(hit('bedrock', 'amazon.titan-embed-text-v2:0')).toEqual(['amazon.titan-embed-text-v2:0', 'exact', 20_000]);
    expect(hit('bedrock', 'amazon.titan-embed-text-v1')).toEqual(['amazon.titan-embed-text-v1', 'exact', 100_000]);
    expect(hit('bedrock', 'us.meta.llama3-3-70b-instruct-v1:0')).toEqual(['meta.llama3-3-70b-instruct-v1:0', 'normalised', 720_000]);
    expect(hit('bedrock', 'mistral.mistral-large-2407-v1:0')).toEqual(['mistral.mistral-large-2407-v1:0', 'exact', 2_000_000]);
  });
  test('Bedrock ids are not looked up in the Claude API list, nor the other way', () => {
    expect(hit('anthropic', haiku)).toBeUndefined();
    expect(hit('bedrock', 'claude-3-5-haiku-20241022')).toBeUndefined();
  });
});

describe('lookup: OpenAI-compatible vendors', () => {
  test('each vendor is found by its own ids', () => {
    expect(book.lookup('openai-compatible', 'mistral-large-latest')?.vendor).toBe('mistral');
    expect(hit('openai-compatible', 'mistral-small-2506')).toEqual(['mistral-small', 'normalised', 100_000]);
    expect(hit('openai-compatible', 'mistral-large-2411')).toEqual(['mistral-large-2411', 'exact', 2_000_000]);
    expect(book.lookup('openai-compatible', 'deepseek-chat')?.vendor).toBe('deepseek');
    expect(hit('openai-compatible', 'grok-4-0709')).toEqual(['grok-4', 'normalised', 3_000_000]);
    expect(hit('openai-compatible', 'grok-4-1-fast-reasoning')).toEqual(['grok-4-1-fast', 'family', 200_000]);
    expect(book.lookup('openai-compatible', 'llama-3.3-70b-versatile')?.vendor).toBe('groq');
    expect(book.lookup('openai-compatible', 'meta-llama/Llama-3.3-70B-Instruct-Turbo')?.vendor).toBe('together');
  });
  test('Fireworks paths stay with Fireworks; bare ids go to the model maker first', () => {
    expect(hit('openai-compatible', 'accounts/fireworks/models/deepseek-v4-flash')?.[2]).toBe(140_000);
    expect(book.lookup('openai-compatible', 'deepseek-v4-flash')?.vendor).toBe('deepseek');
  });
  test('naming the vendor narrows the search', () => {
    expect(book.lookup('groq', 'openai/gpt-oss-120b')?.vendor).toBe('groq');
    expect(book.lookup('together', 'openai/gpt-oss-120b')?.vendor).toBe('together');
    expect(book.lookup('groq', 'mistral-large-latest')).toBeUndefined();
  });
});

describe('lookup: unknown models and the mock provider', () => {
  test('unknown → undefined', () => {
    expect(book.lookup('openai', 'not-a-model')).toBeUndefined();
    expect(book.lookup('anthropic', 'gpt-4o')).toBeUndefined();
    expect(book.lookup('openai-compatible', 'llama3.2:3b')).toBeUndefined();
    expect(book.lookup('mock', 'mock/ok')).toBeUndefined();
  });
});

describe('overrides', () => {
  test('add a model for any provider type, with fallbacks for omitted rates', () => {
    const b = createPriceBook({ 'my-llama': { input: 0.1, output: 0.2 } });
    for (const scope of ['openai-compatible', 'mock', 'openai'] as const) {
      expect(b.lookup(scope, 'my-llama')).toEqual({
        vendor: 'override',
        model: 'my-llama',
        match: 'exact',
        micros_per_mtok: { input: 100_000, output: 200_000, cached_input: 100_000, cache_write: 100_000, cache_write_1h: 100_000, reasoning: 200_000 },
        source: 'config override',
      });
    }
  });
  test('replace a catalog row, including its dated snapshots, but not rows priced apart', () => {
    const b = createPriceBook({ 'gpt-4o': { input: 2, output: 8, cached_input: 1, effective_date: '2026-11-01' } });
    expect(b.lookup('openai', 'gpt-4o')).toMatchObject({ vendor: 'override', match: 'exact', effective_date: '2026-11-01' });
    expect(b.lookup('openai', 'gpt-4o-2024-08-06')).toMatchObject({ vendor: 'override', match: 'normalised' });
    expect(b.lookup('openai', 'gpt-4o-2024-05-13')).toMatchObject({ vendor: 'openai', model: 'gpt-4o-2024-05-13' });
    expect(b.lookup('openai', 'gpt-4o-mini')).toMatchObject({ vendor: 'openai' });
  });
  test('a longer catalog family beats a shorter override family', () => {
    const b = createPriceBook({ 'gemini-2.5': { input: 9, output: 9 } });
    expect(b.lookup('gemini', 'gemini-2.5-flash-001')?.model).toBe('gemini-2.5-flash');
    expect(b.lookup('gemini', 'gemini-2.5-ultra')?.model).toBe('gemini-2.5');
  });
  test('invalid prices are rejected with the model named', () => {
    expect(() => createPriceBook({ x: { input: -1, output: 1 } })).toThrow(/override\/x\.input/);
    expect(() => createPriceBook({ x: { input: 1, output: Number.NaN } })).toThrow(RangeError);
    expect(() => createPriceBook({ x: { input: 0.0000001, output: 1 } })).toThrow(/six decimals/);
  });
  test('the config schema accepts the documented shape and nothing else', () => {
    expect(priceOverridesSchema.safeParse({ m: { input: 1.25, output: 10, cached_input: 0.125, effective_date: '2026-11-01' } }).success).toBe(true);
    expect(priceOverridesSchema.safeParse({ m: { input: 1, output: 1, cache_read: 0.1 } }).success).toBe(false);
    expect(priceOverridesSchema.safeParse({ m: { input: 1 } }).success).toBe(false);
    expect(priceOverridesSchema.safeParse({ m: { input: 1e-7, output: 1 } }).success).toBe(false);
    expect(priceOverridesSchema.safeParse({ m: { input: 1, output: 1, effective_date: '1 Nov 2026' } }).success).toBe(false);
  });
});

describe('version', () => {
  test('is stable for the same catalog and overrides', () => {
    expect(book.version).toMatch(/^pl_[0-9a-f]{16}$/);
    expect(createPriceBook().version).toBe(book.version);
    expect(createPriceBook({}).version).toBe(book.version);
    const a = createPriceBook({ a: { input: 1, output: 2 }, b: { output: 4, input: 3 } });
    const b = createPriceBook({ b: { input: 3, output: 4 }, a: { output: 2, input: 1 } });
    expect(a.version).toBe(b.version);
  });
  test('is the digest of the whole catalog and the overrides (the catalog part serialised ahead by the bundler)', () => {
    const overrides = { 'gpt-4o': { input: 2, output: 8 } };
    const overrideFacts = { 'gpt-4o': { rates: createPriceBook(overrides).lookup('openai', 'gpt-4o')!.micros_per_mtok } };
    expect(book.version).toBe(priceListVersion({ catalog: catalogFacts(), overrides: {} }));
    expect(createPriceBook(overrides).version).toBe(priceListVersion({ catalog: catalogFacts(), overrides: overrideFacts }));
    expect(priceListVersionOf(canonicalJson(catalogFacts()), overrideFacts)).toBe(createPriceBook(overrides).version);
  });
  test('changes when overrides change', () => {
    const one = createPriceBook({ 'gpt-4o': { input: 2, output: 8 } }).version;
    expect(one).not.toBe(book.version);
    expect(createPriceBook({ 'gpt-4o': { input: 2, output: 8.5 } }).version).not.toBe(one);
    expect(createPriceBook({ 'gpt-4o': { input: 2, output: 8, effective_date: '2026-11-01' } }).version).not.toBe(one);
    expect(createPriceBook({ 'gpt-4o-x': { input: 2, output: 8 } }).version).not.toBe(one);
  });
});
