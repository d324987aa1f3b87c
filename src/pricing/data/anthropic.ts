import type { VendorCatalog } from '../types.ts';
import { withHourWrites } from './hour-writes.ts';

// Claude API, USD per 1M tokens. cache_write is the 5-minute write (1.25x input); cache_write_1h,
// the 1-hour write, is 2x input (added by withHourWrites). Thinking tokens are billed as output.
// Sources: platform.claude.com/docs/en/about-claude/pricing and the per-model overview pages;
// older rows also match Portkey-AI/models pricing/anthropic.json (2026-08-21).
const DOCS = 'platform.claude.com pricing and model overview pages';
const PK = 'Portkey-AI/models pricing/anthropic.json (2026-08-21)';
// Sonnet 4 and 4.5 with the 1M-context beta: all tokens of a request whose input exceeds 200K.
const SONNET_LONG = { above_input_tokens: 200_000, input: 6, cached_input: 0.6, cache_write: 7.5, output: 22.5 };

export const anthropic: VendorCatalog = withHourWrites({
  'claude-fable-5-1': {
    input: 10,
    cached_input: 0.25,
    cache_write: 12.5,
    output: 50,
    effective_date: '2026-09-01',
    source: `${DOCS}; cache hits cut to $0.25`,
  },
  'claude-mythos-5-1': {
    input: 10,
    cached_input: 0.25,
    cache_write: 12.5,
    output: 50,
    effective_date: '2026-09-01',
    source: `${DOCS}; same as Fable 5.1; model id inferred from the naming pattern`,
  },
  'claude-fable-5': { input: 10, cached_input: 1, cache_write: 12.5, output: 50, effective_date: '2026-06-09', source: DOCS },
  'claude-mythos-5': {
    input: 10,
    cached_input: 1,
    cache_write: 12.5,
    output: 50,
    effective_date: '2026-06-09',
    source: `${DOCS}; same as Fable 5; model id inferred from the naming pattern`,
  },
  'claude-opus-5-5': {
    input: 4,
    cached_input: 0.2,
    cache_write: 5,
    output: 20,
    effective_date: '2026-09-29',
    source: `${DOCS}; release date not found, date is when first seen listed; model id inferred from claude-haiku-5-5`,
  },
  'claude-sonnet-5-5': {
    input: 2,
    cached_input: 0.1,
    cache_write: 2.5,
    output: 10,
    effective_date: '2026-10-07',
    source: `${DOCS}; cache hits cut from $0.20 to $0.10 on 2026-10-07 (per release notes of PromptFuel and claudit); model id inferred`,
  },
  'claude-haiku-5-5': {
    input: 0.1,
    cached_input: 0.01,
    cache_write: 0.125,
    output: 0.5,
    effective_date: '2026-10-07',
    source: `${DOCS}; prompts over 100,000 tokens are billed at the higher tier on every token`,
    long_context: { above_input_tokens: 100_000, input: 0.5, cached_input: 0.05, cache_write: 0.625, output: 2.5 },
  },
  'claude-opus-5': { input: 5, cached_input: 0.5, cache_write: 6.25, output: 25, effective_date: '2026-07-24', source: DOCS },
  'claude-sonnet-5': { input: 2, cached_input: 0.2, cache_write: 2.5, output: 10, effective_date: '2026-06-30', source: DOCS },
  'claude-opus-4-8': { input: 5, cached_input: 0.5, cache_write: 6.25, output: 25, effective_date: '2026-08-21', source: `${DOCS}; ${PK}; date read` },
  'claude-opus-4-7': { input: 5, cached_input: 0.5, cache_write: 6.25, output: 25, effective_date: '2026-08-21', source: `${DOCS}; ${PK}; date read` },
  'claude-opus-4-6': { input: 5, cached_input: 0.5, cache_write: 6.25, output: 25, effective_date: '2026-08-21', source: `${DOCS}; ${PK}; date read` },
  'claude-opus-4-5': { input: 5, cached_input: 0.5, cache_write: 6.25, output: 25, effective_date: '2025-11-24', source: DOCS },
  'claude-opus-4-1': { input: 15, cached_input: 1.5, cache_write: 18.75, output: 75, effective_date: '2025-08-05', source: DOCS },
  'claude-opus-4': { input: 15, cached_input: 1.5, cache_write: 18.75, output: 75, effective_date: '2025-05-22', source: DOCS },
  'claude-sonnet-4-6': {
    input: 3,
    cached_input: 0.3,
    cache_write: 3.75,
    output: 15,
    effective_date: '2026-08-21',
    source: `${DOCS}; ${PK}; date read; sources disagree on a >200K tier for 4.6, none is set`,
  },
  'claude-sonnet-4-5': {
    input: 3,
    cached_input: 0.3,
    cache_write: 3.75,
    output: 15,
    effective_date: '2025-09-29',
    source: `${DOCS}; long-context tier applies with the 1M-context beta`,
    long_context: SONNET_LONG,
  },
  'claude-sonnet-4': {
    input: 3,
    cached_input: 0.3,
    cache_write: 3.75,
    output: 15,
    effective_date: '2025-05-22',
    source: `${DOCS}; long-context tier applies with the 1M-context beta`,
    long_context: SONNET_LONG,
  },
  'claude-3-7-sonnet': { input: 3, cached_input: 0.3, cache_write: 3.75, output: 15, effective_date: '2025-02-24', source: `${DOCS}; deprecated` },
  'claude-3-5-sonnet': {
    input: 3,
    cached_input: 0.3,
    cache_write: 3.75,
    output: 15,
    effective_date: '2024-10-22',
    source: `${PK}; retired on the Claude API, kept for old usage rows`,
  },
  'claude-haiku-4-5': { input: 1, cached_input: 0.1, cache_write: 1.25, output: 5, effective_date: '2025-10-15', source: DOCS },
  'claude-3-5-haiku': { input: 0.8, cached_input: 0.08, cache_write: 1, output: 4, effective_date: '2024-11-04', source: DOCS },
  'claude-3-haiku': { input: 0.25, cached_input: 0.03, cache_write: 0.3, output: 1.25, effective_date: '2024-03-13', source: DOCS },
});
