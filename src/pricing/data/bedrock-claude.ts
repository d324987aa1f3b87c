import type { VendorCatalog } from '../types.ts';
import { withHourWrites } from './hour-writes.ts';

// Anthropic Claude on Amazon Bedrock, on-demand, USD per 1M tokens (us-east-1 list prices).
// From Claude Sonnet 4.5 / Haiku 4.5 / Opus 4.5 on, geographic profiles (us., eu., apac., ...)
// and in-Region ids cost 10% more than the global. profile, so each of those models has a
// regional row (the bare id) and a global. row. us-gov. ids are priced apart and deliberately
// not matched. Sources: Portkey-AI/models pricing/bedrock.json (2026-08-21) for ids and base
// rates; the 10% regional uplift per AWS global cross-Region inference docs and clauder-navi.com;
// 5.5-family regional rates match the Apify AWS Bedrock Proxy price table.
const PK = 'Portkey-AI/models pricing/bedrock.json (2026-08-21)';
const REGIONAL = `${PK}; +10% regional uplift over global (AWS CRIS docs, clauder-navi.com)`;
const GLOBAL = `${PK}; global cross-Region profile, Anthropic list price`;
const INFERRED_ID = 'Bedrock model id inferred from the naming pattern';

export const bedrockClaude: VendorCatalog = withHourWrites({
  'anthropic.claude-3-haiku-20240307-v1:0': { input: 0.25, output: 1.25, effective_date: '2024-03-13', source: `${PK}; no prompt caching on Bedrock` },
  'anthropic.claude-3-5-haiku-20241022-v1:0': { input: 0.8, cached_input: 0.08, cache_write: 1, output: 4, effective_date: '2024-11-04', source: PK },
  'anthropic.claude-3-5-sonnet-20241022-v2:0': {
    input: 6,
    cached_input: 0.6,
    cache_write: 7.5,
    output: 30,
    effective_date: '2026-08-21',
    source: `extended-access price per clauder-navi.com (date read); ${PK} still lists $3/$15 — unsure`,
  },
  'anthropic.claude-3-7-sonnet-20250219-v1:0': {
    input: 3,
    cached_input: 0.3,
    cache_write: 3.75,
    output: 15,
    effective_date: '2025-02-24',
    source: `${PK} (its cache read/write fields are swapped; corrected here)`,
  },
  'anthropic.claude-sonnet-4-20250514-v1:0': {
    input: 3,
    cached_input: 0.3,
    cache_write: 3.75,
    output: 15,
    effective_date: '2025-05-22',
    source: `${PK}; long-context tier as on the Claude API`,
    long_context: { above_input_tokens: 200_000, input: 6, cached_input: 0.6, cache_write: 7.5, output: 22.5 },
  },
  'anthropic.claude-opus-4-20250514-v1:0': { input: 15, cached_input: 1.5, cache_write: 18.75, output: 75, effective_date: '2025-05-22', source: PK },
  'anthropic.claude-opus-4-1-20250805-v1:0': { input: 15, cached_input: 1.5, cache_write: 18.75, output: 75, effective_date: '2025-08-05', source: PK },

  'anthropic.claude-sonnet-4-5-20250929-v1:0': {
    input: 3.3,
    cached_input: 0.33,
    cache_write: 4.125,
    output: 16.5,
    effective_date: '2025-09-29',
    source: REGIONAL,
    long_context: { above_input_tokens: 200_000, input: 6.6, cached_input: 0.66, cache_write: 8.25, output: 24.75 },
  },
  'global.anthropic.claude-sonnet-4-5-20250929-v1:0': {
    input: 3,
    cached_input: 0.3,
    cache_write: 3.75,
    output: 15,
    effective_date: '2025-09-29',
    source: GLOBAL,
    long_context: { above_input_tokens: 200_000, input: 6, cached_input: 0.6, cache_write: 7.5, output: 22.5 },
  },
  'anthropic.claude-haiku-4-5-20251001-v1:0': { input: 1.1, cached_input: 0.11, cache_write: 1.375, output: 5.5, effective_date: '2025-10-15', source: REGIONAL },
  'global.anthropic.claude-haiku-4-5-20251001-v1:0': { input: 1, cached_input: 0.1, cache_write: 1.25, output: 5, effective_date: '2025-10-15', source: GLOBAL },
  'anthropic.claude-opus-4-5-20251101-v1:0': { input: 5.5, cached_input: 0.55, cache_write: 6.875, output: 27.5, effective_date: '2025-11-24', source: REGIONAL },
  'global.anthropic.claude-opus-4-5-20251101-v1:0': { input: 5, cached_input: 0.5, cache_write: 6.25, output: 25, effective_date: '2025-11-24', source: GLOBAL },
  'anthropic.claude-sonnet-4-6': { input: 3.3, cached_input: 0.33, cache_write: 4.125, output: 16.5, effective_date: '2026-08-21', source: `${REGIONAL}; date read` },
  'global.anthropic.claude-sonnet-4-6': { input: 3, cached_input: 0.3, cache_write: 3.75, output: 15, effective_date: '2026-08-21', source: `${GLOBAL}; date read` },
  'anthropic.claude-opus-4-6-v1': { input: 5.5, cached_input: 0.55, cache_write: 6.875, output: 27.5, effective_date: '2026-08-21', source: `${REGIONAL}; date read` },
  'global.anthropic.claude-opus-4-6-v1': { input: 5, cached_input: 0.5, cache_write: 6.25, output: 25, effective_date: '2026-08-21', source: `${GLOBAL}; date read` },
  'anthropic.claude-opus-4-7': { input: 5.5, cached_input: 0.55, cache_write: 6.875, output: 27.5, effective_date: '2026-08-21', source: `${REGIONAL}; date read` },
  'global.anthropic.claude-opus-4-7': { input: 5, cached_input: 0.5, cache_write: 6.25, output: 25, effective_date: '2026-08-21', source: `${GLOBAL}; date read` },
  'anthropic.claude-opus-4-8': { input: 5.5, cached_input: 0.55, cache_write: 6.875, output: 27.5, effective_date: '2026-08-21', source: `${REGIONAL}; date read` },
  'global.anthropic.claude-opus-4-8': { input: 5, cached_input: 0.5, cache_write: 6.25, output: 25, effective_date: '2026-08-21', source: `${GLOBAL}; date read` },
  'anthropic.claude-opus-5': { input: 5.5, cached_input: 0.55, cache_write: 6.875, output: 27.5, effective_date: '2026-07-24', source: REGIONAL },
  'global.anthropic.claude-opus-5': { input: 5, cached_input: 0.5, cache_write: 6.25, output: 25, effective_date: '2026-07-24', source: GLOBAL },
  'anthropic.claude-sonnet-5': { input: 2.2, cached_input: 0.22, cache_write: 2.75, output: 11, effective_date: '2026-06-30', source: REGIONAL },
  'global.anthropic.claude-sonnet-5': { input: 2, cached_input: 0.2, cache_write: 2.5, output: 10, effective_date: '2026-06-30', source: GLOBAL },
  'anthropic.claude-fable-5': { input: 11, cached_input: 1.1, cache_write: 13.75, output: 55, effective_date: '2026-06-09', source: REGIONAL },
  'global.anthropic.claude-fable-5': { input: 10, cached_input: 1, cache_write: 12.5, output: 50, effective_date: '2026-06-09', source: GLOBAL },
  'anthropic.claude-opus-5-5': { input: 4.4, cached_input: 0.22, cache_write: 5.5, output: 22, effective_date: '2026-09-29', source: `Apify AWS Bedrock Proxy table; ${INFERRED_ID}` },
  'global.anthropic.claude-opus-5-5': { input: 4, cached_input: 0.2, cache_write: 5, output: 20, effective_date: '2026-09-29', source: `Anthropic list price; ${INFERRED_ID}` },
  'anthropic.claude-sonnet-5-5': { input: 2.2, cached_input: 0.11, cache_write: 2.75, output: 11, effective_date: '2026-10-07', source: `Apify AWS Bedrock Proxy table; ${INFERRED_ID}` },
  'global.anthropic.claude-sonnet-5-5': { input: 2, cached_input: 0.1, cache_write: 2.5, output: 10, effective_date: '2026-10-07', source: `Anthropic list price; ${INFERRED_ID}` },
  'anthropic.claude-haiku-5-5': {
    input: 0.11,
    cached_input: 0.011,
    cache_write: 0.1375,
    output: 0.55,
    effective_date: '2026-10-07',
    source: `Apify AWS Bedrock Proxy table; ${INFERRED_ID}`,
    long_context: { above_input_tokens: 100_000, input: 0.55, cached_input: 0.055, cache_write: 0.6875, output: 2.75 },
  },
  'global.anthropic.claude-haiku-5-5': {
    input: 0.1,
    cached_input: 0.01,
    cache_write: 0.125,
    output: 0.5,
    effective_date: '2026-10-07',
    source: `Anthropic list price; ${INFERRED_ID}`,
    long_context: { above_input_tokens: 100_000, input: 0.5, cached_input: 0.05, cache_write: 0.625, output: 2.5 },
  },
});
