import type { VendorCatalog } from '../types.ts';

// xAI API, USD per 1M tokens. Sources: docs.apiyi.com Grok overview (checked against xAI's list
// on 2026-07-13), Portkey-AI/models pricing/x-ai.json (2026-08-21), Perplexity gateway docs
// for the grok-4.5 long-context tier.
const APIYI = 'docs.apiyi.com Grok overview (matched to xAI list 2026-07-13)';
const PK = 'Portkey-AI/models pricing/x-ai.json (2026-08-21)';

export const xai: VendorCatalog = {
  'grok-4.5': {
    input: 2,
    cached_input: 0.3,
    output: 6,
    effective_date: '2026-07-08',
    source: `${APIYI}; cached rate from ${PK}; >200K tier per docs.perplexity.ai gateway models`,
    long_context: { above_input_tokens: 200_000, input: 4, cached_input: 0.6, output: 12 },
  },
  'grok-4.3': { input: 1.25, cached_input: 0.2, output: 2.5, effective_date: '2026-07-13', source: `${APIYI}; cached rate from ${PK} — unsure` },
  'grok-4.20': {
    input: 1.25,
    output: 2.5,
    effective_date: '2026-07-13',
    source: `${APIYI}; ${PK} shows $2/$6 with $0.20 cached — unsure`,
  },
  'grok-build-0.1': { input: 1, output: 2, effective_date: '2026-07-13', source: APIYI },
  'grok-4': {
    input: 3,
    cached_input: 0.75,
    output: 15,
    effective_date: '2025-07-09',
    source: `${PK}; >128K tier doubles (wavespeed.ai listing)`,
    long_context: { above_input_tokens: 128_000, input: 6, cached_input: 1.5, output: 30 },
  },
  'grok-4-1-fast': { input: 0.2, cached_input: 0.05, output: 0.5, effective_date: '2025-11-19', source: `${PK}; a >128K tier may exist, not set` },
  'grok-4-fast': { input: 0.2, cached_input: 0.05, output: 0.5, effective_date: '2025-09-19', source: `${PK}; a >128K tier may exist, not set` },
  'grok-code-fast-1': { input: 0.2, cached_input: 0.02, output: 1.5, effective_date: '2025-08-28', source: PK },
  'grok-3': { input: 3, cached_input: 0.75, output: 15, effective_date: '2025-04-09', source: PK },
  'grok-3-mini': { input: 0.3, cached_input: 0.075, output: 0.5, effective_date: '2025-04-09', source: PK },
};
