import type { VendorCatalog } from '../types.ts';
import { bedrockClaude } from './bedrock-claude.ts';

// Amazon Bedrock on-demand, us-east-1, USD per 1M tokens; other Regions differ (ap-south-1 is
// cheaper). Nova cache reads are 75% off input and cache writes carry no surcharge.
// Sources: Portkey-AI/models pricing/bedrock.json (2026-08-21); Nova cache reads and Nova 2 Lite
// from provider tables in public repos (Portkey lists 50% off and a write surcharge — unsure).
const PK = 'Portkey-AI/models pricing/bedrock.json (2026-08-21)';
const NOVA = `${PK}; cache read 75% off per public Bedrock provider tables (Portkey says 50%) — unsure`;

export const bedrock: VendorCatalog = {
  ...bedrockClaude,
  'amazon.nova-micro-v1:0': { input: 0.035, cached_input: 0.00875, output: 0.14, effective_date: '2024-12-03', source: NOVA },
  'amazon.nova-lite-v1:0': { input: 0.06, cached_input: 0.015, output: 0.24, effective_date: '2024-12-03', source: NOVA },
  'amazon.nova-pro-v1:0': { input: 0.8, cached_input: 0.2, output: 3.2, effective_date: '2024-12-03', source: NOVA },
  'amazon.nova-premier-v1:0': {
    input: 2.5,
    output: 12.5,
    effective_date: '2025-04-30',
    source: 'huggingface.co/spaces/Presidentlin/llm-pricing-calculator; no cached rate known',
  },
  'amazon.nova-2-lite-v1:0': { input: 0.3, cached_input: 0.075, output: 2.5, effective_date: '2025-12-02', source: 'public Bedrock provider tables (Cline-style model lists, LiteLLM)' },
  'amazon.titan-embed-text-v2:0': { input: 0.02, output: 0, effective_date: '2024-04-30', source: PK },
  'amazon.titan-embed-text-v1': { input: 0.1, output: 0, effective_date: '2023-09-28', source: PK },
  'meta.llama3-3-70b-instruct-v1:0': { input: 0.72, output: 0.72, effective_date: '2024-12-19', source: PK },
  'meta.llama3-1-8b-instruct-v1:0': { input: 0.22, output: 0.22, effective_date: '2024-07-23', source: PK },
  'meta.llama3-1-70b-instruct-v1:0': { input: 0.72, output: 0.72, effective_date: '2024-07-23', source: PK },
  'meta.llama3-1-405b-instruct-v1:0': { input: 2.4, output: 2.4, effective_date: '2024-07-23', source: `${PK}; unsure, older lists show $5.32` },
  'meta.llama4-maverick-17b-instruct-v1:0': { input: 0.24, output: 0.97, effective_date: '2025-04-29', source: PK },
  'meta.llama4-scout-17b-instruct-v1:0': { input: 0.17, output: 0.66, effective_date: '2025-04-29', source: PK },
  'mistral.mistral-large-3-675b-instruct': { input: 0.5, output: 1.5, effective_date: '2026-08-21', source: `${PK}; date read` },
  'mistral.mistral-large-2407-v1:0': { input: 2, output: 6, effective_date: '2024-07-24', source: PK },
  'mistral.mistral-large-2402-v1:0': { input: 4, output: 12, effective_date: '2024-04-02', source: PK },
  'mistral.pixtral-large-2502-v1:0': { input: 2, output: 6, effective_date: '2025-04-08', source: PK },
  'mistral.ministral-3-8b-instruct': { input: 0.15, output: 0.15, effective_date: '2026-08-21', source: `${PK}; date read` },
};
