import type { VendorCatalog } from '../types.ts';

// La Plateforme, USD per 1M tokens. Keys are families; dated ids (-2512) and -latest normalise to
// them. Source: Portkey-AI/models pricing/mistral-ai.json (2026-08-21), not re-checked against
// mistral.ai/pricing.
const PK = 'Portkey-AI/models pricing/mistral-ai.json (2026-08-21)';

export const mistral: VendorCatalog = {
  'mistral-large': { input: 0.5, output: 1.5, effective_date: '2025-12-02', source: `${PK}; Mistral Large 3 (2512)` },
  'mistral-large-2411': {
    input: 2,
    output: 6,
    effective_date: '2024-11-18',
    source: `Mistral list price at release (from memory); ${PK} shows $0.50/$1.50 — unsure`,
  },
  'mistral-medium': { input: 0.4, output: 2, effective_date: '2025-05-07', source: `${PK}; Mistral Medium 3.x` },
  'mistral-small': { input: 0.1, output: 0.3, effective_date: '2025-06-20', source: `${PK}; Mistral Small 3.2` },
  'magistral-medium': { input: 2, output: 5, effective_date: '2025-09-17', source: PK },
  'magistral-small': { input: 0.5, output: 1.5, effective_date: '2025-09-17', source: PK },
  codestral: { input: 0.3, output: 0.9, effective_date: '2025-07-30', source: PK },
  devstral: { input: 0.4, output: 2, effective_date: '2025-12-09', source: `${PK}; Devstral 2 (2512)` },
  'devstral-medium': { input: 0.4, output: 2, effective_date: '2025-07-10', source: PK },
  'devstral-small': { input: 0.1, output: 0.3, effective_date: '2025-07-10', source: PK },
  'ministral-3b': { input: 0.1, output: 0.1, effective_date: '2025-12-02', source: PK },
  'ministral-8b': { input: 0.15, output: 0.15, effective_date: '2025-12-02', source: PK },
  'ministral-14b': { input: 0.2, output: 0.2, effective_date: '2025-12-02', source: PK },
  'pixtral-large': { input: 2, output: 6, effective_date: '2024-11-18', source: PK },
  'open-mistral-nemo': { input: 0.15, output: 0.15, effective_date: '2024-07-18', source: PK },
  'mistral-embed': { input: 0.1, output: 0, effective_date: '2023-12-11', source: PK },
  'codestral-embed': { input: 0.15, output: 0, effective_date: '2025-05-28', source: PK },
};
