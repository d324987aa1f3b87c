import { parseConfig } from '../../src/config/load.ts';
import { buildRuntime, runtimeHolder } from '../../src/config/runtime.ts';
import { silentLogger, type Logger } from '../../src/lib/logger.ts';
import { rateLimiter } from '../../src/limits/rate-limiter.ts';
import { decisionSchema } from '../../src/policy/decision.ts';
import type { PolicyRuntime } from '../../src/policy/runtime.ts';
import { createApp } from '../../src/server/app.ts';
import type { UsageRecord } from '../../src/store/usage-record.ts';
import type { Target } from '../../src/routing/target.ts';

/** A policy that routes every request through `targets`, in order. */
export const routeTo = (targets: Target[]): PolicyRuntime => ({
  evaluate: () => ({ decision: decisionSchema.parse({ allowed: true, targets }), decision_id: 'dec', revision: 'rev', eval_us: 0 }),
  revision: () => 'rev',
  reload: async () => ({ ok: true, revision: 'rev' }),
  close: async () => {},
});

/**
 * The app in process with the real network transport (so upstreams are real sockets), anonymous
 * access and a policy routing to `targets`. `records` receives every usage row.
 */
export function hostileApp(yaml: string, targets: Target[], logger: Logger = silentLogger) {
  const runtime = runtimeHolder(buildRuntime(parseConfig(yaml, 'test.yaml', {}).config));
  const records: UsageRecord[] = [];
  const app = createApp({ runtime, logger, onUsage: (r) => void records.push(r), enforce: { logger, limiter: rateLimiter(), policy: routeTo(targets) } });
  return { app, records };
}

/** POSTs a JSON body to the app. */
export function post(app: ReturnType<typeof hostileApp>['app'], path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
