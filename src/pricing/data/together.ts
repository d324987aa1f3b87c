import type { VendorCatalog } from '../types.ts';

// Together AI serverless, USD per 1M tokens; ids are matched case-insensitively.
// Source: Portkey-AI/models pricing/together-ai.json (2026-08-21).
const PK = 'Portkey-AI/models pricing/together-ai.json (2026-08-21)';

export const together: VendorCatalog = {
  'meta-llama/Llama-3.3-70B-Instruct-Turbo': { input: 0.88, output: 0.88, effective_date: '2024-12-06', source: PK },
  'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8': { input: 0.27, output: 0.85, effective_date: '2025-04-05', source: PK },
  'meta-llama/Llama-4-Scout-17B-16E-Instruct': { input: 0.18, output: 0.59, effective_date: '2025-04-05', source: PK },
  'deepseek-ai/DeepSeek-V4-Pro': { input: 2.1, cached_input: 0.2, output: 4.4, effective_date: '2026-08-21', source: `${PK}; date read` },
  'deepseek-ai/DeepSeek-V3.1': { input: 0.6, output: 1.7, effective_date: '2025-08-21', source: PK },
  'deepseek-ai/DeepSeek-R1': { input: 3, output: 7, effective_date: '2025-01-20', source: PK },
  'openai/gpt-oss-120b': { input: 0.15, output: 0.6, effective_date: '2025-08-05', source: PK },
  'openai/gpt-oss-20b': { input: 0.05, output: 0.2, effective_date: '2025-08-05', source: PK },
  'Qwen/Qwen3-235B-A22B-Instruct-2507-tput': { input: 0.2, output: 0.6, effective_date: '2025-07-21', source: PK },
  'moonshotai/Kimi-K2-Instruct-0905': { input: 1, output: 3, effective_date: '2025-09-05', source: PK },
};
