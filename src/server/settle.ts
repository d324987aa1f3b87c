import type { Context } from 'hono';
import { emptyUsage, type Usage } from '../providers/types.ts';
import type { Attempt } from '../routing/target.ts';
import type { Env } from './context.ts';
import type { AppDeps } from './deps.ts';

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
}

/** Hands one finished request to the ledger (and the log). Never throws into the request. */
export function settle(base: Base, o: Outcome): void {
  const { c, deps } = base;
  const principal = c.get('principal');
  const record = {
    request_id: c.get('requestId'),
    endpoint: base.endpoint,
    key_name: principal?.name,
    key_hash: principal?.keyHash,
    team: principal?.team,
    requested_model: base.requestedModel,
    provider: o.provider,
    served_model: o.servedModel,
    status: o.status,
    outcome: o.outcome,
    stream: base.stream,
    usage: o.usage ?? emptyUsage(),
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
  });
}
