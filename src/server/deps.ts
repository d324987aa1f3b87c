import type { Logger } from '../lib/logger.ts';
import type { RuntimeHolder } from '../config/runtime.ts';
import type { UsageRecord } from '../store/usage-record.ts';
import type { KeyCache } from '../store/key-cache.ts';
import type { EnforceDeps } from '../enforce/deps.ts';
import type { Store } from '../store/client.ts';
import type { Router } from '../routing/router.ts';
import type { Drain } from './drain.ts';
import type { Clock } from '../lib/clock.ts';
import type { UploadGate } from './upload-gate.ts';
import type { UsageWriter } from '../store/usage-writer.ts';
import type { Metrics } from '../obs/metrics.ts';
import type { Tracing } from '../obs/tracing.ts';
import type { ResponseKeeper } from './response-keeper.ts';
import type { UiSessions } from './ui-sessions.ts';
import type { ResponseCache } from '../cache/response-cache.ts';

export interface AppDeps {
  runtime: RuntimeHolder;
  /** Database keys; without it only config keys (or anonymous) are accepted. */
  keys?: KeyCache;
  logger: Logger;
  /** The database for the admin API; without it /admin answers 503. */
  store?: Store;
  /** Prometheus metrics for GET /metrics; absent when metrics are off. */
  metrics?: Metrics;
  /** OpenTelemetry traces; absent unless tracing.endpoint is set. */
  tracing?: Tracing;
  /** Called once per finished request (success, failure or interrupted stream). */
  onUsage?: (record: UsageRecord) => void;
  /** The ledger's health: /readyz shows it, and new requests are refused while it takes no rows. */
  ledger?: Pick<UsageWriter, 'accepting' | 'health'>;
  /** Admission: policy, rate limits, budgets. */
  enforce?: EnforceDeps;
  /** The client's address, when the server knows it. */
  clientIp?: (req: Request) => string | undefined;
  /** Usage records still being estimated; shutdown waits for them before the last flush. */
  settling?: Set<Promise<void>>;
  /** False once shutdown begins: /readyz fails. */
  ready?: () => boolean;
  /** Breakers, latency, in-flight counts and key cool-downs; createApp makes one when absent. */
  router?: Router;
  /** In-flight work for the shutdown drain. */
  drain?: Drain;
  /** The clock for a router createApp makes itself (default: the real one). */
  clock?: Clock;
  /** Bounds concurrent body uploads and body bytes in flight; createApp makes one when absent. */
  uploads?: UploadGate;
  /** Called once a request's body is in (the server lifts that socket's idle timeout). */
  bodyRead?: (req: Request) => void;
  /** Stored Responses API responses; createApp makes one on `store` when absent (with no purge timer). */
  responses?: ResponseKeeper;
  /** The response cache the policy's `cache` decision uses; createApp makes one on `store` when absent. */
  cache?: ResponseCache;
  /** Dashboard (/ui) sessions; createApp makes one when absent. */
  uiSessions?: UiSessions;
}
