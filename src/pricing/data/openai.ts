import type { VendorCatalog } from '../types.ts';

// Standard tier, USD per 1M tokens. Reasoning tokens are billed as output on every OpenAI model.
// Sources: OpenAI pricing as mirrored in Portkey-AI/models pricing/openai.json (snapshot
// 2026-08-21), cross-checked against developers.openai.com model pages and dated third-party
// tables where noted.
const PK = 'Portkey-AI/models pricing/openai.json (2026-08-21)';
// developers.openai.com/api/docs/models/gpt-5.4-pro: ">272K input tokens are priced at 2x input
// and 1.5x output for the full session"; applied per request here.
const LONG_54 = 'long-context tier per developers.openai.com (>272K input: 2x input, 1.5x output)';
const LONG_55 =
  'long-context tier assumed like GPT-5.4 (seen on third-party listings: apiyi, Perplexity gateway docs); unsure';

export const openai: VendorCatalog = {
  'gpt-4o': { input: 2.5, cached_input: 1.25, output: 10, effective_date: '2024-08-06', source: PK },
  'gpt-4o-2024-05-13': { input: 5, output: 15, effective_date: '2024-05-13', source: `${PK}; first snapshot, no caching` },
  'gpt-4o-mini': { input: 0.15, cached_input: 0.075, output: 0.6, effective_date: '2024-07-18', source: PK },
  'gpt-4.1': { input: 2, cached_input: 0.5, output: 8, effective_date: '2025-04-14', source: PK },
  'gpt-4.1-mini': { input: 0.4, cached_input: 0.1, output: 1.6, effective_date: '2025-04-14', source: PK },
  'gpt-4.1-nano': {
    input: 0.1,
    cached_input: 0.025,
    output: 0.4,
    effective_date: '2025-04-14',
    source: `OpenAI launch pricing (cached $0.025); ${PK} lists cached $0.03 — unsure which is current`,
  },
  o1: { input: 15, cached_input: 7.5, output: 60, effective_date: '2024-12-17', source: PK },
  'o3-mini': { input: 1.1, cached_input: 0.55, output: 4.4, effective_date: '2025-01-31', source: PK },
  o3: { input: 2, cached_input: 0.5, output: 8, effective_date: '2025-06-10', source: `${PK}; after the June 2025 cut` },
  'o3-pro': { input: 20, output: 80, effective_date: '2025-06-10', source: `${PK}; no cached rate` },
  'o4-mini': { input: 1.1, cached_input: 0.275, output: 4.4, effective_date: '2025-04-16', source: PK },
  'gpt-5': { input: 1.25, cached_input: 0.125, output: 10, effective_date: '2025-08-07', source: PK },
  'gpt-5-mini': { input: 0.25, cached_input: 0.025, output: 2, effective_date: '2025-08-07', source: PK },
  'gpt-5-nano': { input: 0.05, cached_input: 0.005, output: 0.4, effective_date: '2025-08-07', source: PK },
  'gpt-5-chat-latest': { input: 1.25, cached_input: 0.125, output: 10, effective_date: '2025-08-07', source: PK },
  'gpt-5-codex': { input: 1.25, cached_input: 0.125, output: 10, effective_date: '2025-09-15', source: PK },
  'gpt-5-pro': {
    input: 15,
    output: 120,
    effective_date: '2025-10-06',
    source: `${PK}; its cached rate ($0.005) looks like a data error, so none is set`,
  },
  'gpt-5.1': { input: 1.25, cached_input: 0.125, output: 10, effective_date: '2025-11-13', source: PK },
  'gpt-5.1-codex': { input: 1.25, cached_input: 0.125, output: 10, effective_date: '2025-11-13', source: PK },
  'gpt-5.1-codex-mini': { input: 0.25, cached_input: 0.025, output: 2, effective_date: '2025-11-13', source: PK },
  'gpt-5.2': { input: 1.75, cached_input: 0.175, output: 14, effective_date: '2025-12-11', source: `${PK}; community.openai.com GPT-5.4 deep dive` },
  'gpt-5.2-pro': { input: 21, output: 168, effective_date: '2025-12-11', source: `${PK}; no cached rate` },
  'gpt-5.2-codex': { input: 1.75, cached_input: 0.175, output: 14, effective_date: '2026-08-21', source: `${PK}; date read, launch date not checked` },
  'gpt-5.3-codex': { input: 1.75, cached_input: 0.175, output: 14, effective_date: '2026-08-21', source: `${PK}; date read, launch date not checked` },
  'gpt-5.4': {
    input: 2.5,
    cached_input: 0.25,
    output: 15,
    effective_date: '2026-03-05',
    source: `${PK}; ${LONG_54}`,
    long_context: { above_input_tokens: 272_000, input: 5, cached_input: 0.5, output: 22.5 },
  },
  'gpt-5.4-pro': {
    input: 30,
    output: 180,
    effective_date: '2026-03-05',
    source: `${PK}; ${LONG_54}`,
    long_context: { above_input_tokens: 272_000, input: 60, output: 270 },
  },
  'gpt-5.4-mini': { input: 0.75, cached_input: 0.075, output: 4.5, effective_date: '2026-03-17', source: PK },
  'gpt-5.4-nano': { input: 0.2, cached_input: 0.02, output: 1.25, effective_date: '2026-03-17', source: PK },
  'gpt-5.5': {
    input: 5,
    cached_input: 0.5,
    output: 30,
    effective_date: '2026-04-23',
    source: `${PK}; morphllm.com table (June 2026); ${LONG_55}`,
    long_context: { above_input_tokens: 272_000, input: 10, cached_input: 1, output: 45 },
  },
  'gpt-5.5-pro': {
    input: 30,
    cached_input: 3,
    output: 180,
    effective_date: '2026-04-23',
    source: `${PK}; docs.apiyi.com; ${LONG_55}`,
    long_context: { above_input_tokens: 272_000, input: 60, cached_input: 6, output: 270 },
  },
  // GPT-5.6 bills cache writes at 1.25x input (OpenAI via Simon Willison; coder/mux#3705).
  'gpt-5.6-sol': {
    input: 5,
    cached_input: 0.5,
    cache_write: 6.25,
    output: 30,
    effective_date: '2026-06-26',
    source: `OpenAI GPT-5.6 preview pricing as reported by several outlets; ${PK} agrees`,
  },
  'gpt-5.6-terra': {
    input: 2.5,
    cached_input: 0.25,
    cache_write: 3.125,
    output: 15,
    effective_date: '2026-06-26',
    source: `OpenAI GPT-5.6 preview pricing as reported by several outlets; ${PK} says $2/$12 — unsure`,
  },
  'gpt-5.6-luna': {
    input: 1,
    cached_input: 0.1,
    cache_write: 1.25,
    output: 6,
    effective_date: '2026-06-26',
    source: `OpenAI GPT-5.6 preview pricing as reported by several outlets; ${PK} says $0.20/$1.20 — unsure`,
  },
  'text-embedding-3-small': { input: 0.02, output: 0, effective_date: '2024-01-25', source: PK },
  'text-embedding-3-large': { input: 0.13, output: 0, effective_date: '2024-01-25', source: PK },
  'text-embedding-ada-002': { input: 0.1, output: 0, effective_date: '2022-12-15', source: PK },
};
