import type { VendorCatalog } from '../types.ts';

// Fireworks serverless, USD per 1M tokens. Keys keep the accounts/fireworks/models/ path the API
// uses, so they never collide with other vendors' ids. Source: Portkey-AI/models
// pricing/fireworks-ai.json (2026-08-21).
const PK = 'Portkey-AI/models pricing/fireworks-ai.json (2026-08-21)';
const M = 'accounts/fireworks/models/';

export const fireworks: VendorCatalog = {
  [`${M}llama-v3p3-70b-instruct`]: {
    input: 0.9,
    output: 0.9,
    effective_date: '2024-12-06',
    source: 'Fireworks size-tier price for >16B models (from memory, not in Portkey) — unsure',
  },
  [`${M}llama4-maverick-instruct-basic`]: { input: 0.22, output: 0.88, effective_date: '2025-04-05', source: PK },
  [`${M}llama4-scout-instruct-basic`]: { input: 0.15, output: 0.6, effective_date: '2025-04-05', source: PK },
  [`${M}gpt-oss-120b`]: { input: 0.15, cached_input: 0.015, output: 0.6, effective_date: '2025-08-05', source: PK },
  [`${M}gpt-oss-20b`]: { input: 0.07, output: 0.3, effective_date: '2025-08-05', source: `${PK}; its cached rate (50% off) is odd, not set` },
  [`${M}deepseek-v4-pro`]: { input: 1.74, cached_input: 0.14, output: 3.48, effective_date: '2026-08-21', source: `${PK}; date read` },
  [`${M}deepseek-v4-flash`]: { input: 0.14, cached_input: 0.028, output: 0.28, effective_date: '2026-08-21', source: `${PK}; date read` },
  [`${M}kimi-k2-instruct-0905`]: { input: 0.6, output: 2.5, effective_date: '2025-09-05', source: PK },
  [`${M}kimi-k2p6`]: { input: 0.95, cached_input: 0.16, output: 4, effective_date: '2026-08-21', source: `${PK}; date read` },
};
