import type { Runtime } from '../config/runtime.ts';
import { apiKeysOf } from '../providers/credentials.ts';
import { worstCaseMicros } from '../pricing/cost.ts';
import type { BalancerView } from './balancer.ts';
import type { Router } from './router.ts';
import type { Target } from './target.ts';

/** The router's state as the balancer sees it, for one request. */
export function targetView(router: Router, runtime: Runtime, stream: boolean): BalancerView {
  const now = router.now();
  const { health } = runtime.config.routing;
  const dep = (t: Target) => {
    const p = runtime.config.providers[t.provider];
    return p ? router.deployment(t, p) : undefined;
  };
  return {
    available(t) {
      const p = runtime.config.providers[t.provider];
      const d = dep(t);
      if (!p || !d) return false;
      return d.breaker.state(now) !== 'open' && d.holdUntil <= now && router.keys.available(t.provider, apiKeysOf(p), t.model, now);
    },
    inflight: (t) => dep(t)?.inflight ?? 0,
    latency: (t) => dep(t)?.health.ewma(now, stream, health.window_ms),
    cost(t) {
      const type = runtime.config.providers[t.provider]?.type;
      const price = type ? runtime.prices.lookup(type, t.model) : undefined;
      // A blend of three input tokens to one output token, the usual shape of a chat request.
      return price ? worstCaseMicros(3_000, 1_000, price) : undefined;
    },
  };
}
