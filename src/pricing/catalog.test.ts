import { describe, expect, test } from 'bun:test';
import { catalog, vendorsFor } from './catalog.ts';
import { createPriceBook } from './lookup.ts';
import { light } from './normalise.ts';
import type { PriceScope, Vendor } from './types.ts';
import { toRates } from './units.ts';

const rows = (Object.keys(catalog) as Vendor[]).flatMap((v) => Object.entries(catalog[v]).map(([key, e]) => ({ v, key, e })));

describe('the shipped catalog', () => {
  test('every row converts exactly to micros and builds a price book', () => {
    expect(() => createPriceBook()).not.toThrow();
  });

  test('every row has an ISO effective date no later than the catalog and a source note', () => {
    for (const { v, key, e } of rows) {
      const where = `${v}/${key}`;
      expect(e.effective_date, where).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(new Date(`${e.effective_date}T00:00:00Z`).toISOString().slice(0, 10), where).toBe(e.effective_date);
      expect(e.effective_date <= '2026-11-22', where).toBe(true);
      expect(e.source.length, where).toBeGreaterThan(10);
    }
  });

  test('cache reads are never dearer than input; tiers start above zero and cost more', () => {
    for (const { v, key, e } of rows) {
      const where = `${v}/${key}`;
      const r = toRates(e, where);
      expect(r.cached_input <= r.input, where).toBe(true);
      if (e.long_context) {
        const t = toRates(e.long_context, where);
        expect(e.long_context.above_input_tokens, where).toBeGreaterThan(0);
        expect(t.input >= r.input && t.output >= r.output, where).toBe(true);
      }
    }
  });

  test('no two rows of a vendor share a light form (one would be unreachable)', () => {
    for (const v of Object.keys(catalog) as Vendor[]) {
      const forms = Object.keys(catalog[v]).map(light);
      expect(new Set(forms).size, v).toBe(forms.length);
    }
  });

  test('Bedrock regional Claude rows are the global rows plus exactly 10%', () => {
    const globals = Object.keys(catalog.bedrock).filter((k) => k.startsWith('global.'));
    expect(globals.length).toBeGreaterThan(10);
    for (const g of globals) {
      const regional = catalog.bedrock[g.slice('global.'.length)];
      expect(regional, g).toBeDefined();
      if (!regional) continue;
      const [gr, rr] = [toRates(catalog.bedrock[g], g), toRates(regional, g)];
      for (const k of ['input', 'output', 'cached_input', 'cache_write', 'reasoning'] as const) expect(rr[k] * 10, `${g} ${k}`).toBe(gr[k] * 11);
    }
  });

  test('covers the models the gateway is expected to price', () => {
    const book = createPriceBook();
    const expected: [PriceScope, string][] = [
      ['openai', 'gpt-4o'],
      ['openai', 'gpt-4o-mini'],
      ['openai', 'gpt-4.1'],
      ['openai', 'gpt-4.1-mini'],
      ['openai', 'gpt-4.1-nano'],
      ['openai', 'o3'],
      ['openai', 'o4-mini'],
      ['openai', 'gpt-5'],
      ['openai', 'gpt-5-mini'],
      ['openai', 'gpt-5-nano'],
      ['openai', 'gpt-5.5'],
      ['openai', 'text-embedding-3-small'],
      ['openai', 'text-embedding-3-large'],
      ['azure', 'gpt-4o'],
      ['anthropic', 'claude-opus-4-1'],
      ['anthropic', 'claude-opus-4-5'],
      ['anthropic', 'claude-sonnet-4-5'],
      ['anthropic', 'claude-sonnet-4-20250514'],
      ['anthropic', 'claude-haiku-4-5'],
      ['anthropic', 'claude-3-7-sonnet-20250219'],
      ['anthropic', 'claude-3-5-haiku-20241022'],
      ['gemini', 'gemini-2.5-pro'],
      ['gemini', 'gemini-2.5-flash'],
      ['gemini', 'gemini-2.5-flash-lite'],
      ['gemini', 'gemini-2.0-flash'],
      ['gemini', 'gemini-embedding-001'],
      ['bedrock', 'us.anthropic.claude-3-5-haiku-20241022-v1:0'],
      ['bedrock', 'eu.anthropic.claude-sonnet-4-20250514-v1:0'],
      ['bedrock', 'amazon.nova-micro-v1:0'],
      ['bedrock', 'amazon.nova-lite-v1:0'],
      ['bedrock', 'amazon.nova-pro-v1:0'],
      ['bedrock', 'amazon.titan-embed-text-v2:0'],
      ['bedrock', 'meta.llama3-3-70b-instruct-v1:0'],
      ['bedrock', 'mistral.mistral-large-2407-v1:0'],
      ['mistral', 'mistral-large-latest'],
      ['groq', 'llama-3.3-70b-versatile'],
      ['deepseek', 'deepseek-chat'],
      ['xai', 'grok-4'],
      ['together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'],
      ['fireworks', 'accounts/fireworks/models/llama-v3p3-70b-instruct'],
    ];
    for (const [scope, model] of expected) expect(book.lookup(scope, model), `${scope} ${model}`).toBeDefined();
  });

  test('provider types map to vendor lists', () => {
    expect(vendorsFor('azure')).toEqual(['openai']);
    expect(vendorsFor('mock')).toEqual([]);
    expect(vendorsFor('openai-compatible')).toContain('groq');
    expect(vendorsFor('fireworks')).toEqual(['fireworks']);
  });
});
