import type { VendorCatalog } from '../types.ts';

// GroqCloud on-demand, USD per 1M tokens. Source: Portkey-AI/models pricing/groq.json
// (2026-08-21), matching groq.com/pricing as last known; not re-checked for Nov 2026.
const PK = 'Portkey-AI/models pricing/groq.json (2026-08-21)';

export const groq: VendorCatalog = {
  'llama-3.3-70b-versatile': { input: 0.59, output: 0.79, effective_date: '2024-12-06', source: PK },
  'llama-3.1-8b-instant': { input: 0.05, output: 0.08, effective_date: '2024-07-23', source: PK },
  'meta-llama/llama-4-maverick-17b-128e-instruct': { input: 0.2, output: 0.6, effective_date: '2025-04-05', source: PK },
  'meta-llama/llama-4-scout-17b-16e-instruct': { input: 0.11, output: 0.34, effective_date: '2025-04-05', source: PK },
  'openai/gpt-oss-120b': { input: 0.15, output: 0.6, effective_date: '2025-08-05', source: PK },
  'openai/gpt-oss-20b': { input: 0.075, output: 0.3, effective_date: '2025-08-05', source: PK },
  'moonshotai/kimi-k2-instruct-0905': { input: 1, cached_input: 0.5, output: 3, effective_date: '2025-09-05', source: PK },
  'qwen/qwen3-32b': { input: 0.29, output: 0.59, effective_date: '2025-05-01', source: PK },
};
