import type { GatewayConfig, ProviderConfig } from '../config/schema.ts';
import { realClock, type Clock } from '../lib/clock.ts';
import { apiKeysOf } from '../providers/credentials.ts';
import { createBreaker, type BreakerState, type Breaker } from './breaker.ts';
import { probeConnect } from './connect-probe.ts';
import { createHealth, median, type Health } from './health.ts';
import { createKeyPool, type KeyPool } from './keys.ts';
import { targetId, type Target } from './target.ts';

/** Router state for one deployment (a provider and an upstream model). */
export interface Deployment {
  readonly id: string;
  readonly breaker: Breaker;
  readonly health: Health;
  /** Attempts in flight, streams included until they end. */
  inflight: number;
  /** A 503/529 with Retry-After holds the deployment until then. */
  holdUntil: number;
}

/** What the policy sees of a provider's health. */
export interface ProviderHealth {
  healthy: boolean;
  error_rate: number;
  p50_ms: number | null;
}

/**
 * Everything the router remembers between requests: breakers, latency, in-flight counts and
 * key cool-downs. One is created at start-up and passed in deps; it outlives config reloads.
 * A deployment's state is kept while its provider's endpoint is unchanged and dropped when
 * the endpoint changes, so a fixed base_url starts clean.
 */
export interface Router {
  deployment(target: Target, provider: ProviderConfig): Deployment;
  readonly keys: KeyPool;
  /** The clock every timer of a routed request runs on (timeouts, backoff, stream finaliser). */
  readonly clock: Clock;
  /** Monotonic ms on that clock, for timers and state. */
  now(): number;
  random(): number;
  /** Whether an upstream origin answered recently (its connections are probably pooled). */
  warm(origin: string): boolean;
  answered(origin: string): void;
  /** Whether a TCP connection to the URL's host opens within the time (see connect-probe.ts). */
  probe(url: string, timeoutMs: number): Promise<boolean | 'timeout'>;
  /** Health per configured provider, for the policy input. Cached for 250 ms. */
  providerHealth(config: GatewayConfig): Record<string, ProviderHealth>;
  /** Every deployment the router has seen, as metrics show it. */
  deployments(windowMs: number): DeploymentState[];
}

/** One deployment's state at a moment: breaker, in-flight attempts, recent error rate. */
export interface DeploymentState {
  provider: string;
  model: string;
  breaker: BreakerState;
  inflight: number;
  error_rate: number;
}

const WARM_MS = 30_000;

export interface RouterOptions {
  clock?: Clock;
  random?: () => number;
  probe?: Router['probe'];
  /** Told each time a deployment's breaker opens (alerts); must not throw. */
  onBreakerOpen?: (provider: string, model: string, ejections: number) => void;
}

export function createRouter(opts: RouterOptions = {}): Router {
  const clock = opts.clock ?? realClock;
  const now = () => clock.now();
  const random = opts.random ?? Math.random;
  const deployments = new Map<string, { endpoint: string; provider: string; d: Deployment }>();
  const origins = new Map<string, number>();
  const keys = createKeyPool();
  let cached: { at: number; config: GatewayConfig; facts: Record<string, ProviderHealth> } | undefined;

  function deployment(target: Target, provider: ProviderConfig): Deployment {
    const id = targetId(target);
    const endpoint = endpointOf(provider);
    const found = deployments.get(id);
    if (found && found.endpoint === endpoint) return found.d;
    const d: Deployment = { id, breaker: createBreaker((n) => opts.onBreakerOpen?.(target.provider, target.model, n)), health: createHealth(), inflight: 0, holdUntil: 0 };
    deployments.set(id, { endpoint, provider: target.provider, d });
    return d;
  }

  function providerHealth(config: GatewayConfig): Record<string, ProviderHealth> {
    const t = now();
    if (cached && cached.config === config && t - cached.at < 250) return cached.facts;
    const { window_ms } = config.routing.health;
    const facts: Record<string, ProviderHealth> = {};
    for (const [name, p] of Object.entries(config.providers)) {
      const mine = [...deployments.values()].filter((e) => e.provider === name && e.endpoint === endpointOf(p)).map((e) => e.d);
      let total = 0;
      let failed = 0;
      const ttfbs: number[] = [];
      for (const d of mine) {
        const c = d.health.counts(t, window_ms);
        total += c.total;
        failed += c.failed;
        ttfbs.push(...d.health.ttfbs(t, window_ms));
      }
      const allEjected = mine.length > 0 && mine.every((d) => d.breaker.state(t) === 'open');
      const noKey = keys.usable(name, apiKeysOf(p), t) === 0;
      facts[name] = { healthy: !allEjected && !noKey, error_rate: total ? round(failed / total) : 0, p50_ms: median(ttfbs) };
    }
    cached = { at: t, config, facts };
    return facts;
  }

  return {
    deployment,
    keys,
    clock,
    now,
    random,
    warm: (origin) => now() - (origins.get(origin) ?? -Infinity) < WARM_MS,
    answered: (origin) => void origins.set(origin, now()),
    probe: opts.probe ?? ((url, timeoutMs) => probeConnect(url, timeoutMs, clock)),
    providerHealth,
    deployments(windowMs) {
      const t = now();
      return [...deployments.values()].map(({ provider, d }) => ({ provider, model: d.id.slice(provider.length + 1), breaker: d.breaker.state(t), inflight: d.inflight, error_rate: d.health.errorRate(t, windowMs) }));
    },
  };
}

/** The parts of a provider's config that decide where its requests go. */
function endpointOf(p: ProviderConfig): string {
  const base = 'base_url' in p ? (p.base_url ?? '') : '';
  const region = p.type === 'bedrock' ? p.region : '';
  const version = p.type === 'azure' ? p.api_version : '';
  return `${p.type}|${base}|${region}|${version}`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
