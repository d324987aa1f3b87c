import type { VendorCatalog } from '../types.ts';

// Gemini Developer API paid tier, USD per 1M tokens, text/image/video input. Output includes
// thinking tokens. Audio input (priced higher on Flash models) and context-cache storage per hour
// are not modelled. Sources: ai.google.dev/gemini-api/docs/pricing as tabled by morphllm.com
// (2026) and Portkey-AI/models pricing/google.json (2026-08-21); cached = 10% of input.
const SRC = 'ai.google.dev pricing (via morphllm.com 2026 table) and Portkey-AI/models pricing/google.json (2026-08-21)';
const PK_ONLY = 'Portkey-AI/models pricing/google.json (2026-08-21) only; not confirmed elsewhere';

export const gemini: VendorCatalog = {
  'gemini-3.5-flash': { input: 1.5, cached_input: 0.15, output: 9, effective_date: '2026-08-21', source: `${SRC}; date read` },
  'gemini-3.5-flash-lite': { input: 0.3, cached_input: 0.03, output: 2.5, effective_date: '2026-08-21', source: `${PK_ONLY}; date read` },
  'gemini-3.1-pro': {
    input: 2,
    cached_input: 0.2,
    output: 12,
    effective_date: '2026-08-21',
    source: `${SRC}; date read; >200K-token prompts billed at the higher tier`,
    long_context: { above_input_tokens: 200_000, input: 4, cached_input: 0.4, output: 18 },
  },
  'gemini-3-pro': {
    input: 2,
    cached_input: 0.2,
    output: 12,
    effective_date: '2025-11-18',
    source: `${SRC}; preview model, may be withdrawn`,
    long_context: { above_input_tokens: 200_000, input: 4, cached_input: 0.4, output: 18 },
  },
  'gemini-3-flash': { input: 0.5, cached_input: 0.05, output: 3, effective_date: '2025-12-17', source: SRC },
  'gemini-3.1-flash-lite': { input: 0.25, cached_input: 0.025, output: 1.5, effective_date: '2026-08-21', source: `${SRC}; date read` },
  'gemini-2.5-pro': {
    input: 1.25,
    cached_input: 0.125,
    output: 10,
    effective_date: '2025-06-17',
    source: `${SRC}; >200K-token prompts billed at the higher tier`,
    long_context: { above_input_tokens: 200_000, input: 2.5, cached_input: 0.25, output: 15 },
  },
  'gemini-2.5-flash': { input: 0.3, cached_input: 0.03, output: 2.5, effective_date: '2025-06-17', source: SRC },
  'gemini-2.5-flash-lite': { input: 0.1, cached_input: 0.01, output: 0.4, effective_date: '2025-07-22', source: SRC },
  'gemini-2.0-flash': {
    input: 0.1,
    cached_input: 0.025,
    output: 0.4,
    effective_date: '2025-02-05',
    source: `${SRC}; shut down 2026-06-01 per morphllm.com, kept for old usage rows`,
  },
  'gemini-2.0-flash-lite': {
    input: 0.075,
    output: 0.3,
    effective_date: '2025-02-25',
    source: `${SRC}; shut down 2026-06-01, kept for old usage rows`,
  },
  'gemini-embedding-001': { input: 0.15, output: 0, effective_date: '2025-07-14', source: SRC },
  'gemini-embedding-2-preview': { input: 0.2, output: 0, effective_date: '2026-08-21', source: `${PK_ONLY}; date read` },
};
