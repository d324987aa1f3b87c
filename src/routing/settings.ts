import type { RoutingConfig, Strategy } from '../config/schema.ts';
import type { Decision } from '../policy/decision.ts';

/** The knobs one request routes with: the config's `routing` defaults under the decision's overrides. */
export interface RouteSettings {
  strategy: Strategy;
  maxRetries: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  budgetMs: number;
  connectMs: number;
  ttfbMs: number;
  idleMs: number;
  totalMs: number;
  streamTotalMs: number;
  finaliseMs: number;
  /** Upstream response bounds (routing.limits). */
  sseEventBytes: number;
  jsonResponseBytes: number;
  errorBodyBytes: number;
}

export function routeSettings(cfg: RoutingConfig, decision?: Decision): RouteSettings {
  const t = decision?.timeouts;
  const r = decision?.retries;
  return {
    strategy: decision?.strategy ?? cfg.strategy,
    maxRetries: r?.max_retries ?? cfg.retries.max_retries,
    maxAttempts: r?.max_attempts ?? cfg.retries.max_attempts,
    backoffBaseMs: cfg.retries.backoff_base_ms,
    backoffMaxMs: cfg.retries.backoff_max_ms,
    budgetMs: r?.budget_ms ?? cfg.retries.budget_ms,
    connectMs: t?.connect_ms ?? cfg.timeouts.connect_ms,
    ttfbMs: t?.ttfb_ms ?? cfg.timeouts.ttfb_ms,
    idleMs: t?.idle_ms ?? cfg.timeouts.idle_ms,
    totalMs: t?.total_ms ?? cfg.timeouts.total_ms,
    streamTotalMs: cfg.timeouts.stream_total_ms,
    finaliseMs: cfg.finalise_ms,
    sseEventBytes: cfg.limits.sse_event_bytes,
    jsonResponseBytes: cfg.limits.json_response_bytes,
    errorBodyBytes: cfg.limits.error_body_bytes,
  };
}
