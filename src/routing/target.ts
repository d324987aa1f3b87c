/** One place to send a request: a configured provider and its upstream model id. */
export interface Target {
  provider: string;
  model: string;
  /** Share of traffic within a balanced set. */
  weight?: number;
  /**
   * Targets with the same tier are equivalent: the balancer orders them by the strategy. Tiers
   * are tried in ascending order (a fallback chain is one tier per target).
   */
  tier?: number;
  /** Only tried after an error of this class (a larger-context model, a laxer filter). */
  only?: 'context_length' | 'content_policy';
}

/** What happened on one try, for headers, logs and the ledger. */
export interface Attempt {
  provider: string;
  model: string;
  status: number | 'network_error' | 'timeout' | 'invalid_response';
  ms: number;
  /** Which of the provider's keys was used (1-based), when it has several. */
  key?: number;
  error?: string;
}

export const targetId = (t: { provider: string; model: string }): string => `${t.provider}/${t.model}`;

export const sameTarget = (a: { provider: string; model: string }, b: { provider: string; model: string }): boolean => a.provider === b.provider && a.model === b.model;
