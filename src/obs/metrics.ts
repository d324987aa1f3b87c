import type { GatewayConfig } from '../config/schema.ts';
import type { DeploymentState } from '../routing/router.ts';
import type { BudgetScope } from '../store/budgets.ts';
import { periodStart } from '../store/periods.ts';
import type { LedgerHealth } from '../store/usage-writer.ts';
import type { UsageRecord } from '../store/usage-record.ts';
import { DURATION_BUCKETS, genAiOperationName, genAiProviderName, TOKEN_BUCKETS, TPOT_BUCKETS, TTFT_BUCKETS } from './genai.ts';
import { prom } from './prom.ts';
import { talliedCounter } from './tally.ts';

/** What the metrics read at scrape time. Each is optional: a missing source leaves its gauges out. */
export interface MetricsSources {
  /** The config in force (label bounds: configured models, providers and their types). */
  config: () => GatewayConfig;
  /** Whether a requested model name is one the config serves (else it is labelled `other`). */
  knownModel: (name: string) => boolean;
  deployments?: () => DeploymentState[];
  ledger?: () => LedgerHealth | undefined;
  /** Spent micro-dollars of each (scope, id, period, period start), in order (the spend table). */
  spent?: (scopes: (BudgetScope & { periodStart: number })[]) => Promise<number[]>;
  /** Wall clock (ms), for the budget periods. */
  now?: () => number;
}

export interface Metrics {
  /** One finished request, from its usage record (the same facts the ledger stores). */
  record(r: UsageRecord): void;
  /** One policy evaluation: allow, deny (a deliberate refusal) or error (the policy failed; it denies). */
  decision(result: 'allow' | 'deny' | 'error', status: number, evalMicros: number): void;
  /** Budgets a request was admitted against (the gauge of their use reads the spend table at scrape time). */
  budgets(scopes: BudgetScope[], names: { key?: string; team?: string }): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const EVAL_BUCKETS = [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.05];
const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
/** Budgets whose use the gauge reports (the most recently used). */
const MAX_BUDGETS = 500;

/**
 * Tollgate's Prometheus metrics: the OpenTelemetry GenAI conventions in their Prometheus form,
 * and the gateway's own. Labels are bounded by the config: models the config does not serve are
 * `other`, teams and key names come only from the key store, and key names appear only when
 * `metrics.key_labels` asks for them. Nothing here ever sees key material.
 */
export function createMetrics(src: MetricsSources): Metrics {
  const { Registry, Counter, Gauge, Histogram } = prom();
  const registry = new Registry();
  const registers = [registry];
  const genai = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_response_model'] as const;

  const tokenUsage = new Histogram({ name: 'gen_ai_client_token_usage', help: 'Tokens used per request, by gen_ai_token_type (input, output; cache_read, cache_write and reasoning are parts of them).', labelNames: [...genai, 'gen_ai_token_type'], buckets: TOKEN_BUCKETS, registers });
  const duration = new Histogram({ name: 'gen_ai_server_request_duration_seconds', help: 'Duration of a request that reached a provider, until its last byte.', labelNames: [...genai, 'error_type'], buckets: DURATION_BUCKETS, registers });
  const ttft = new Histogram({ name: 'gen_ai_server_time_to_first_token_seconds', help: 'Time to the first token of a streamed answer.', labelNames: genai, buckets: TTFT_BUCKETS, registers });
  const tpot = new Histogram({ name: 'gen_ai_server_time_per_output_token_seconds', help: 'Time per output token after the first, for streamed answers.', labelNames: genai, buckets: TPOT_BUCKETS, registers });

  const keyLabels = () => src.config().metrics.key_labels;
  const requests = talliedCounter(Counter, { name: 'tollgate_requests_total', help: 'Requests by endpoint and outcome (ok, interrupted, or the error kind), team and, with metrics.key_labels, key.', labelNames: ['endpoint', 'outcome', 'status', 'team', 'key'], registers });
  const attempts = talliedCounter(Counter, { name: 'tollgate_upstream_attempts_total', help: 'Upstream attempts by provider, model and result (HTTP status, network_error, timeout, invalid_response).', labelNames: ['provider', 'model', 'result'], registers });
  const retries = talliedCounter(Counter, { name: 'tollgate_retries_total', help: 'Attempts repeated on the same provider and model.', labelNames: ['provider', 'model'], registers });
  const fallbacks = talliedCounter(Counter, { name: 'tollgate_fallbacks_total', help: 'Switches from one target to another within a request.', labelNames: ['from_provider', 'to_provider'], registers });
  const overhead = new Histogram({ name: 'tollgate_gateway_overhead_seconds', help: 'Time spent in Tollgate before the answer headers, upstream attempts and the waits between them excluded (also the x-tollgate-overhead-ms header).', labelNames: ['endpoint'], buckets: OVERHEAD_BUCKETS, registers });
  const cacheRequests = talliedCounter(Counter, { name: 'tollgate_cache_requests_total', help: 'Requests the policy cached, by result: hit (served from the response cache), miss or bypass (the client skipped it).', labelNames: ['endpoint', 'result', 'team', 'model'], registers });
  const cacheSaved = talliedCounter(Counter, { name: 'tollgate_cache_saved_micro_usd_total', help: 'Spend the response cache saved in micro-dollars: the original cost of each answer served from it.', labelNames: ['team', 'model'], registers });
  const spend = talliedCounter(Counter, { name: 'tollgate_spend_micro_usd_total', help: 'Spend in micro-dollars (the price book applied to the usage the ledger records).', labelNames: ['team', 'model', 'provider'], registers });
  const refusals = talliedCounter(Counter, { name: 'tollgate_rate_limit_refusals_total', help: 'Requests refused by a rate limit or an exhausted budget (429).', labelNames: ['endpoint', 'team'], registers });
  const decisions = talliedCounter(Counter, { name: 'tollgate_policy_decisions_total', help: 'Policy decisions by result (allow, deny, error) and the HTTP status a deny carries.', labelNames: ['result', 'status'], registers });
  const evalDuration = new Histogram({ name: 'tollgate_policy_evaluation_duration_seconds', help: 'Time to evaluate the policy for one request.', buckets: EVAL_BUCKETS, registers });

  // The deployment gauges are rebuilt from one snapshot at each scrape (the breaker's collect runs
  // first, registration order), so a deployment dropped by a reload goes away.
  let snapshot: DeploymentState[] = [];
  const perDeployment = (name: string, help: string, value: (d: DeploymentState) => number, first = false) =>
    new Gauge({
      name,
      help,
      labelNames: ['provider', 'model'],
      registers,
      collect() {
        if (first) snapshot = src.deployments?.() ?? [];
        this.reset();
        for (const d of snapshot) this.set({ provider: d.provider, model: d.model }, value(d));
      },
    });
  perDeployment('tollgate_breaker_state', 'Circuit breaker per deployment: 0 closed, 1 half-open, 2 open.', (d) => BREAKER_VALUE[d.breaker], true);
  perDeployment('tollgate_deployment_inflight', 'Upstream attempts in flight per deployment (streams until they end).', (d) => d.inflight);
  perDeployment('tollgate_deployment_error_rate', 'Share of failed attempts in the health window per deployment.', (d) => d.error_rate);
  const ledgerGauge = (name: string, help: string, value: (h: LedgerHealth) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const h = src.ledger?.();
        if (h) this.set(value(h));
      },
    });
  ledgerGauge('tollgate_ledger_backlog_rows', 'Usage rows in memory, not yet in the database or the journal.', (h) => h.backlog);
  ledgerGauge('tollgate_ledger_journal_bytes', 'Bytes in the local journal, waiting for the database.', (h) => h.journal_bytes);
  ledgerGauge('tollgate_ledger_accepting', '1 while the database or the journal takes usage rows; 0 when the gateway refuses requests for want of a ledger.', (h) => (h.status === 'failing_closed' ? 0 : 1));

  // Budgets seen at admission, most recent last, at most MAX_BUDGETS: their use is read at scrape.
  const seen = new Map<string, BudgetScope & { name: string }>();
  new Gauge({
    name: 'tollgate_budget_use_ratio',
    help: 'Spent share of each budget in its current period (1 = exhausted), for budgets requests were admitted against. Key budgets are named only with metrics.key_labels; otherwise name="" carries the highest key budget use.',
    labelNames: ['scope', 'name', 'period'],
    registers,
    async collect() {
      this.reset();
      if (!src.spent || !seen.size) return;
      const now = src.now?.() ?? Date.now();
      const list = [...seen.values()];
      const spent = await src.spent(list.map((s) => ({ ...s, periodStart: periodStart(s.period, now) }))).catch(() => undefined);
      if (!spent) return;
      const named = keyLabels();
      const max = new Map<string, number>();
      list.forEach((s, i) => {
        const ratio = s.limitMicros > 0 ? (spent[i] ?? 0) / s.limitMicros : 1;
        if (s.scope === 'team' || named) this.set({ scope: s.scope, name: s.name, period: s.period }, ratio);
        else max.set(s.period, Math.max(max.get(s.period) ?? 0, ratio));
      });
      for (const [period, ratio] of max) this.set({ scope: 'key', name: '', period }, ratio);
    },
  });

  const modelLabel = (name: string) => (src.knownModel(name) ? name : 'other');
  const providerType = (name: string) => src.config().providers[name]?.type;

  function record(r: UsageRecord): void {
    const team = r.team ?? '';
    requests.inc({ endpoint: r.endpoint, outcome: r.outcome, status: String(r.status), team, key: keyLabels() ? (r.key_name ?? '') : '' });
    if (r.status === 429) refusals.inc({ endpoint: r.endpoint, team });
    const requested = modelLabel(r.requested_model);
    if (r.cost_micros > 0) spend.inc({ team, model: requested, provider: r.provider ?? '' }, r.cost_micros);
    if (r.cache) cacheRequests.inc({ endpoint: r.endpoint, result: r.cache, team, model: requested });
    if (r.saved_micros) cacheSaved.inc({ team, model: requested }, r.saved_micros);
    let prev: UsageRecord['attempts'][number] | undefined;
    for (const a of r.attempts) {
      attempts.inc({ provider: a.provider, model: a.model, result: String(a.status) });
      if (prev && prev.provider === a.provider && prev.model === a.model) retries.inc({ provider: a.provider, model: a.model });
      else if (prev) fallbacks.inc({ from_provider: prev.provider, to_provider: a.provider });
      prev = a;
    }
    if (r.overhead_ms !== undefined) overhead.observe({ endpoint: r.endpoint }, r.overhead_ms / 1000);
    if (!r.provider || !r.attempts.length) return;
    const labels = {
      gen_ai_operation_name: genAiOperationName(r.endpoint),
      gen_ai_provider_name: genAiProviderName(providerType(r.provider), r.provider),
      gen_ai_request_model: requested,
      gen_ai_response_model: r.served_model ?? '',
    };
    duration.observe({ ...labels, error_type: r.outcome === 'ok' ? '' : r.outcome }, r.latency_ms / 1000);
    const u = r.usage;
    if (r.usage_source !== 'none') {
      tokenUsage.observe({ ...labels, gen_ai_token_type: 'input' }, u.input_tokens);
      if (r.endpoint !== 'embeddings') tokenUsage.observe({ ...labels, gen_ai_token_type: 'output' }, u.output_tokens);
      if (u.cached_input_tokens) tokenUsage.observe({ ...labels, gen_ai_token_type: 'cache_read' }, u.cached_input_tokens);
      if (u.cache_write_tokens) tokenUsage.observe({ ...labels, gen_ai_token_type: 'cache_write' }, u.cache_write_tokens);
      if (u.reasoning_tokens) tokenUsage.observe({ ...labels, gen_ai_token_type: 'reasoning' }, u.reasoning_tokens);
    }
    if (r.stream && r.ttft_ms !== undefined) {
      ttft.observe(labels, r.ttft_ms / 1000);
      if (u.output_tokens > 1) tpot.observe(labels, Math.max(0, r.latency_ms - r.ttft_ms) / 1000 / (u.output_tokens - 1));
    }
  }

  return {
    record,
    budgets(scopes, names) {
      for (const s of scopes) {
        const k = `${s.scope}:${s.id}:${s.period}`;
        seen.delete(k);
        seen.set(k, { ...s, name: (s.scope === 'team' ? names.team : names.key) ?? s.id });
        if (seen.size > MAX_BUDGETS) seen.delete(seen.keys().next().value!);
      }
    },
    decision(result, status, evalMicros) {
      decisions.inc({ result, status: result === 'allow' ? '' : String(status) });
      evalDuration.observe(evalMicros / 1e6);
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
