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

/**
 * A port that answers 503 to everything, and a config with a provider of every wire pointed at
 * it (and the mock): where a request goes once it passes validation (a translator that throws
 * would make it a 500; the dead port makes it a 502).
 */
export function deadUpstreams() {
  const closed = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('no', { status: 503 }) });
  const dead = `http://127.0.0.1:${closed.port}`;
  const yaml = `
server: { allow_anonymous: true }
providers:
  mock: { type: mock }
  openai: { type: openai, base_url: ${dead}/v1, api_key: k-openai }
  compat: { type: openai-compatible, base_url: ${dead}/v1 }
  anthropic: { type: anthropic, base_url: ${dead}, api_key: k-anthropic }
  gemini: { type: gemini, base_url: ${dead}/v1beta, api_key: k-gemini }
  bedrock: { type: bedrock, region: us-east-1, base_url: ${dead}, access_key_id: AKIAEXAMPLEEXAMPLE, secret_access_key: s }
`;
  return { dead, yaml, stop: () => void closed.stop(true) };
}
