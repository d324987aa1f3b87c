import { anthropic } from './data/anthropic.ts';
import { bedrock } from './data/bedrock.ts';
import { deepseek } from './data/deepseek.ts';
import { fireworks } from './data/fireworks.ts';
import { gemini } from './data/gemini.ts';
import { groq } from './data/groq.ts';
import { mistral } from './data/mistral.ts';
import { openai } from './data/openai.ts';
import { together } from './data/together.ts';
import { xai } from './data/xai.ts';
import type { PriceScope, Vendor, VendorCatalog } from './types.ts';

/**
 * The price list shipped in the binary: USD per 1M tokens, one file per vendor under data/.
 * Plain TypeScript data, so `bun build --compile` embeds it and the type checker checks it.
 */
export const catalog: Readonly<Record<Vendor, VendorCatalog>> = {
  openai,
  anthropic,
  gemini,
  bedrock,
  mistral,
  groq,
  deepseek,
  xai,
  together,
  fireworks,
};

// An openai-compatible provider could be any of these; vendors' own ids come first, resellers last.
const OPENAI_COMPATIBLE: readonly Vendor[] = ['deepseek', 'mistral', 'xai', 'groq', 'together', 'fireworks'];

/** The vendor price lists consulted for a provider type (or a vendor named directly), in order. */
export function vendorsFor(scope: PriceScope): readonly Vendor[] {
  switch (scope) {
    case 'openai':
    case 'azure': // Azure OpenAI is priced by the underlying OpenAI model.
      return ['openai'];
    case 'openai-compatible':
      return OPENAI_COMPATIBLE;
    case 'mock':
      return [];
    default:
      return [scope];
  }
}
