import type { VendorCatalog } from '../types.ts';

// DeepSeek bills peak and off-peak hours differently (off-peak is half). A flat list cannot know
// the hour, so these are the PEAK rates: cost and budget reservations err high, never low.
// Source: api-docs.deepseek.com/quick_start/pricing (V4.1 Flash page, read 2026-11).
const SRC = 'api-docs.deepseek.com/quick_start/pricing; peak-hour rates (off-peak is half)';
const FLASH = { input: 0.3, cached_input: 0.006, output: 1.2 };

export const deepseek: VendorCatalog = {
  'deepseek-flash': { ...FLASH, effective_date: '2026-10-17', source: `${SRC}; DeepSeek-V4.1-Flash` },
  'deepseek-v4-flash': { ...FLASH, effective_date: '2026-10-17', source: `${SRC}; legacy name, served and billed as deepseek-flash` },
  'deepseek-v4-pro': { input: 1.32, cached_input: 0.044, output: 3.96, effective_date: '2026-10-17', source: SRC },
  'deepseek-chat': {
    ...FLASH,
    effective_date: '2026-10-17',
    source: `${SRC}; name retired 2026-07-24, priced as its Flash successor — unsure it is still accepted`,
  },
  'deepseek-reasoner': {
    ...FLASH,
    effective_date: '2026-10-17',
    source: `${SRC}; name retired 2026-07-24, priced as its Flash successor — unsure it is still accepted`,
  },
};
