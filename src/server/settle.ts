import type { Context } from 'hono';
import { emptyUsage, type Usage } from '../providers/types.ts';
import type { Attempt } from '../routing/target.ts';
import type { Env } from './context.ts';
import type { UsageRecord } from './usage-record.ts';
import type { AppDeps } from './deps.ts';
import { priceUsage } from './cost.ts';

interface Base {
  c: Context<Env>;
  deps: AppDeps;
  endpoint: string;
  requestedModel: string;
  stream: boolean;
}

interface Outcome {
  status: number;
  outcome: string;
  attempts: Attempt[];
  provider?: string;
  servedModel?: string;
  usage?: Usage;
  ttftMs?: number;
  /** For streams: output tokens estimated from what the client received. */
  deliveredTokens?: number;
}

/** Hands one finished request to the ledger (and the log). Never throws into the request. */
export function settle(base: Base, o: Outcome): void {
  const { c, deps } = base;
  const principal = c.get('principal');
  const runtime = c.get('runtime');
  const reported = (o.usage?.input_tokens ?? 0) + (o.usage?.output_tokens ?? 0) > 0;
  // A stream cut before the provider reported usage is billed for what the client received.
  const usage = reported || !o.deliveredTokens ? (o.usage ?? emptyUsage()) : { ...emptyUsage(), output_tokens: o.deliveredTokens };
  const record: UsageRecord = {
    request_id: c.get('requestId'),
    endpoint: base.endpoint,
    key_name: principal?.name,
    key_hash: principal?.keyHash,
    team: principal?.team,
    user: principal?.user,
    requested_model: base.requestedModel,
    provider: o.provider,
    served_model: o.servedModel,
    status: o.status,
    outcome: o.outcome,
    stream: base.stream,
    usage,
    cost_micros: priceUsage(runtime, o.provider, o.servedModel, usage),
    price_version: runtime.prices.version,
    usage_source: reported ? 'provider' : o.deliveredTokens ? 'estimated' : 'none',
    attempts: o.attempts,
    latency_ms: Math.round(performance.now() - c.get('startedAt')),
    ttft_ms: o.ttftMs,
  };
  try {
    deps.onUsage?.(record);
  } catch (e) {
    deps.logger.error('usage hook failed', { request_id: record.request_id, error: String(e) });
  }
  deps.logger.info('request', {
    request_id: record.request_id,
    endpoint: record.endpoint,
    model: record.requested_model,
    provider: record.provider,
    status: record.status,
    outcome: record.outcome,
    latency_ms: record.latency_ms,
    input_tokens: record.usage.input_tokens,
    output_tokens: record.usage.output_tokens,
    cost_micros: record.cost_micros,
  });
}
