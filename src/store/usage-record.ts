import type { Usage } from '../providers/types.ts';
import type { Attempt } from '../routing/target.ts';
import type { PromptCapture } from '../exchange/capture.ts';

/** What one request cost and how it went; the ledger stores it. */
export interface UsageRecord {
  request_id: string;
  endpoint: string;
  key_name?: string;
  /** Database key id (spend counters are kept by it). */
  key_id?: string;
  /** sha-256 of the client key; never the key. */
  key_hash?: string;
  team?: string;
  user?: string;
  requested_model: string;
  provider?: string;
  served_model?: string;
  status: number;
  /** `ok`, `interrupted` (client left), `upstream_cut`, or an error kind. */
  outcome: string;
  stream: boolean;
  usage: Usage;
  attempts: Attempt[];
  /** Integer micro-dollars from the price book; 0 when the model has no price. */
  cost_micros: number;
  price_version: string;
  /** `provider` when the upstream reported usage, `estimated` otherwise, `none` when nothing ran. */
  usage_source: 'provider' | 'estimated' | 'none';
  decision_id?: string;
  policy_revision?: string;
  /** Why the request was refused or failed, when it was. */
  error_message?: string;
  /** Cost-attribution tags from the policy decision. */
  tags?: string[];
  /** The caller's `x-tollgate-metadata` object (string values, bounded), for attribution by feature or customer. */
  metadata?: Record<string, string>;
  /** PII types the policy masked in the prompt before it left the gateway. */
  redacted?: string[];
  /** Client hints the provider had no place for, not sent (also in the `x-tollgate-dropped-params` header). */
  dropped_params?: string[];
  /** The (scope, period) counters a budget settlement already booked this request's spend into. */
  booked?: { scope: 'key' | 'team'; period: 'day' | 'week' | 'month' }[];
  latency_ms: number;
  ttft_ms?: number;
  /** Time spent in the gateway itself before the answer's headers (metrics; not a ledger column). */
  overhead_ms?: number;
  /** The response cache's part: `hit` (served from it, nothing upstream, cost 0), `miss` or `bypass`; absent when the decision did not cache. */
  cache?: 'hit' | 'miss' | 'bypass';
  /** On a hit: the stored answer's original cost, the spend the hit saved. */
  saved_micros?: number;
  /** The request and answer, kept only when the decision says `log_prompts: true`. */
  capture?: PromptCapture;
}
