import { emptyUsage, type Usage } from '../providers/types.ts';
import type { Attempt } from '../routing/target.ts';
import type { UsageRecord } from '../store/usage-record.ts';
import { priceUsage } from './price-usage.ts';
import { countTokens } from '../lib/tokenize.ts';
import type { Exchange } from './exchange.ts';
import { capturePrompt } from './capture.ts';

export interface Outcome {
  status: number;
  outcome: string;
  attempts: Attempt[];
  provider?: string;
  servedModel?: string;
  usage?: Usage;
  ttftMs?: number;
  /** For streams: output tokens estimated from what the client received. */
  deliveredTokens?: number;
  /** For streams: content-bearing events delivered (each is at least one token). */
  deliveredEvents?: number;
  /** For streams: the text the client received, counted by tokenizer when usage was not reported. */
  deliveredText?: string;
  /** The refusal or failure message. */
  errorMessage?: string;
  /** Client hints the serving call did not send. */
  droppedParams?: string[];
  /** The answer the client got (a stream: reassembled), for prompt capture. */
  response?: { value: unknown; truncated?: boolean };
  /** Time spent in the gateway before the answer's headers, upstream attempts and waits between them excluded. */
  overheadMs?: number;
  /** Decision id of a refusal (admission never finished, so it is not on base). */
  decisionId?: string;
  /** A policy deny's reasons, for the log line. */
  reasons?: string[];
  /**
   * Upstream attempts that reached the provider and may be billed by it although no usage came
   * back: a stream that started, or a 200 whose body broke off. Each is billed at least its prompt.
   */
  billedAttempts?: number;
  /** What the response cache did (absent: the decision did not cache). */
  cache?: 'hit' | 'miss' | 'bypass';
  /** On a cache hit: the stored answer's original cost. */
  savedMicros?: number;
}

/**
 * Closes one exchange: prices the usage, books it through the admission's holds, hands the row
 * to the ledger (and the log). Called by Exchange.close only, once. Never throws into the request. A
 * request that reached the provider without usage coming back (a stream cancelled or cut, a
 * 200 whose body broke off) is billed by tokenizer: the prompt once per attempt that reached
 * the provider, and the text the client received (usage_source `estimated`).
 */
export function closeExchange(base: Exchange, given: Outcome): void {
  const o = sensibleUsage(base, given);
  const reported = (o.usage?.input_tokens ?? 0) + (o.usage?.output_tokens ?? 0) > 0;
  const reached = (o.billedAttempts ?? 0) > 0 || (o.deliveredTokens ?? 0) > 0;
  if (reported || !reached) return emit(base, o, o.usage ?? emptyUsage(), reported ? 'provider' : 'none');
  const prompt = base.admission?.prompt;
  const attempts = Math.max(1, o.billedAttempts ?? 0);
  const floor = Math.ceil((prompt?.length ?? 0) / 4);
  const pending = (async () => {
    const [input, output] = await Promise.all([prompt !== undefined ? countTokens(prompt) : 0, countTokens(o.deliveredText ?? '')]);
    return { ...emptyUsage(), input_tokens: attempts * input, output_tokens: o.deliveredText === undefined ? (o.deliveredTokens ?? 0) : Math.max(output, o.deliveredEvents ?? 0) };
  })()
    .catch(() => ({ ...emptyUsage(), input_tokens: attempts * floor, output_tokens: o.deliveredTokens ?? 0 }))
    .then((usage) => emit(base, o, usage, 'estimated'));
  // Shutdown waits for these before the last ledger flush, so no estimated row is lost.
  const settling = base.deps.settling;
  settling?.add(pending);
  void pending.finally(() => settling?.delete(pending));
}

/**
 * Usage a provider reported with counters that are not whole numbers >= 0 (1.5, -3, 1e300) is
 * treated as not reported: the request is estimated like one whose usage never came, and the
 * nonsense is logged. Pricing such counters would throw after the provider had answered.
 */
function sensibleUsage(base: Exchange, o: Outcome): Outcome {
  const u = o.usage;
  if (!u) return o;
  const bad = (Object.keys(u) as (keyof Usage)[]).filter((k) => !Number.isSafeInteger(u[k]) || u[k] < 0);
  if (!bad.length) return o;
  base.deps.logger.warn('upstream usage is not whole token counts; estimating instead', {
    request_id: base.requestId,
    provider: o.provider,
    usage: Object.fromEntries(bad.map((k) => [k, String(u[k])])),
  });
  return { ...o, usage: undefined, billedAttempts: Math.max(1, o.billedAttempts ?? 0) };
}

function emit(base: Exchange, o: Outcome, usage: Usage, source: UsageRecord['usage_source']): void {
  const { deps, principal, runtime } = base;
  const record: UsageRecord = {
    request_id: base.requestId,
    endpoint: base.endpoint,
    key_name: principal?.name,
    key_hash: principal?.keyHash,
    key_id: principal?.keyId,
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
    usage_source: source,
    attempts: o.attempts,
    decision_id: base.admission?.decisionId ?? o.decisionId,
    policy_revision: base.admission?.policyRevision,
    error_message: o.errorMessage,
    tags: base.tags?.length ? [...new Set([...(base.admission?.decision?.tags ?? []), ...base.tags])] : base.admission?.decision?.tags,
    metadata: base.metadata,
    redacted: base.admission?.redacted.length ? base.admission.redacted : undefined,
    dropped_params: o.droppedParams,
    booked: base.admission?.hold.booked ?? [],
    latency_ms: Math.round(performance.now() - base.startedAt),
    ttft_ms: o.ttftMs,
    overhead_ms: o.overheadMs,
    cache: o.cache,
    saved_micros: o.savedMicros,
    capture: base.admission?.decision?.log_prompts === true ? capturePrompt(base.admission.request.body, o.response, { types: base.admission.decision.redact ?? [], maxBytes: runtime.config.capture.max_bytes, retentionMs: runtime.config.capture.retention }) : undefined,
  };
  try {
    base.admission?.hold.settle({ costMicros: record.cost_micros, tokens: usage.input_tokens + usage.output_tokens });
  } catch (e) {
    deps.logger.error('spend hold not settled', { request_id: record.request_id, error: String(e) });
  }
  try {
    deps.onUsage?.(record);
  } catch (e) {
    deps.logger.error('usage hook failed', { request_id: record.request_id, error: String(e) });
  }
  deps.logger.info('request', {
    request_id: record.request_id,
    endpoint: record.endpoint,
    key: record.key_name,
    team: record.team,
    model: record.requested_model,
    provider: record.provider,
    status: record.status,
    outcome: record.outcome,
    latency_ms: record.latency_ms,
    input_tokens: record.usage.input_tokens,
    output_tokens: record.usage.output_tokens,
    cost_micros: record.cost_micros,
    decision_id: record.decision_id,
    reasons: o.reasons?.length ? o.reasons : undefined,
    redacted: record.redacted,
    dropped_params: record.dropped_params,
    error: record.error_message,
  });
}

/** Failed attempts the provider may still bill: it answered 200 and the body broke off or was not JSON. */
export function billedFailures(attempts: Attempt[]): number {
  return attempts.filter((a) => a.status === 'invalid_response' || (a.status === 'network_error' && a.error?.includes('broke off'))).length;
}
