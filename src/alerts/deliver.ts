import type { AlertsConfig } from '../config/schema.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { DeliveryRow, Firing } from '../store/alert-records.ts';
import { jsonPayload, slackPayload } from './payload.ts';

export type Webhook = AlertsConfig['webhooks'][number];

export interface DeliveryDeps {
  config: () => AlertsConfig;
  clock: Clock;
  logger: Logger;
  /** Records each delivery's state; a failure to record is logged, never stops the delivery. */
  record: (d: DeliveryRow) => Promise<void>;
  fetch?: typeof fetch;
}

export interface Deliveries {
  /** Sends the alert to every configured webhook, in the background, retrying with backoff. */
  send(f: Firing, summary: string): void;
  /** Deliveries not yet sent or given up on. */
  pending(): number;
  /** Resolves when every delivery queued so far is sent or given up on. */
  idle(): Promise<void>;
  /** Stops retrying: attempts under way finish (time-bounded), deliveries waiting for their next attempt are recorded as failed. */
  close(): Promise<void>;
}

/** The host of a webhook URL, for records and logs: its path and query may hold a token. */
export const webhookTarget = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
};

/**
 * Webhook delivery: one POST per webhook, time-bounded (`delivery.timeout_ms`), redirects never
 * followed (a 3xx is a failure), retried on network errors, timeouts, 408, 429 and 5xx with
 * exponential backoff on the clock, up to `delivery.max_attempts`. At most `delivery.queue`
 * deliveries wait; past that a new one is recorded as dropped. URLs come only from the config.
 */
export function webhookDeliveries(deps: DeliveryDeps): Deliveries {
  const doFetch = deps.fetch ?? fetch;
  const running = new Set<Promise<void>>();
  const aborts = new Set<AbortController>();
  let closing = false;

  const record = (d: DeliveryRow) => deps.record(d).catch((e: unknown) => deps.logger.warn('alert delivery not recorded', { firing: d.firingId, target: d.target, status: d.status, error: String(e) }));

  async function deliver(f: Firing, summary: string, hook: Webhook, index: number): Promise<void> {
    const cfg = deps.config().delivery;
    const target = webhookTarget(hook.url);
    const body = JSON.stringify(hook.format === 'slack' ? slackPayload(f, summary) : jsonPayload(f, summary));
    const row = (status: DeliveryRow['status'], attempts: number, lastStatus?: number, lastError?: string): DeliveryRow => ({ firingId: f.id, webhook: index, target, format: hook.format, status, attempts, lastStatus, lastError, at: deps.clock.wall() });
    await record(row('pending', 0));
    const stop = new AbortController();
    aborts.add(stop);
    try {
      for (let attempt = 1; ; attempt++) {
        const result = await post(hook, body, cfg.timeout_ms);
        if (result.ok) {
          await record(row('sent', attempt, result.status));
          deps.logger.info('alert sent', { alert: f.kind, subject: f.subject, firing: f.id, target, attempts: attempt });
          return;
        }
        const last = attempt >= cfg.max_attempts || !result.retry || closing;
        await record(row(last ? 'failed' : 'pending', attempt, result.status, result.error));
        if (last) {
          deps.logger.warn('alert not delivered', { alert: f.kind, subject: f.subject, firing: f.id, target, attempts: attempt, status: result.status, error: result.error });
          return;
        }
        try {
          await deps.clock.sleep(Math.min(cfg.max_backoff_ms, cfg.backoff_ms * 2 ** (attempt - 1)), stop.signal);
        } catch {
          await record(row('failed', attempt, result.status, 'shut down before the next attempt'));
          return;
        }
      }
    } finally {
      aborts.delete(stop);
    }
  }

  async function post(hook: Webhook, body: string, timeoutMs: number): Promise<{ ok: boolean; retry: boolean; status?: number; error?: string }> {
    try {
      const res = await doFetch(hook.url, {
        method: 'POST',
        headers: { ...hook.headers, 'content-type': 'application/json', 'user-agent': 'tollgate-alerts' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true, retry: false, status: res.status };
      if (res.status >= 300 && res.status < 400) return { ok: false, retry: false, status: res.status, error: 'the webhook answered a redirect, which is not followed' };
      return { ok: false, retry: res.status === 408 || res.status === 429 || res.status >= 500, status: res.status, error: `HTTP ${res.status}` };
    } catch (e) {
      const timedOut = e instanceof DOMException && e.name === 'TimeoutError';
      return { ok: false, retry: true, error: timedOut ? `no answer within ${timeoutMs} ms` : String(e instanceof Error ? e.message : e) };
    }
  }

  return {
    send(f, summary) {
      const hooks = deps.config().webhooks;
      hooks.forEach((hook, i) => {
        if (closing || running.size >= deps.config().delivery.queue) {
          deps.logger.warn('alert dropped: the delivery queue is full', { alert: f.kind, subject: f.subject, target: webhookTarget(hook.url), queue: running.size });
          void record({ firingId: f.id, webhook: i, target: webhookTarget(hook.url), format: hook.format, status: 'dropped', attempts: 0, lastError: closing ? 'shutting down' : 'delivery queue full', at: deps.clock.wall() });
          return;
        }
        const p: Promise<void> = deliver(f, summary, hook, i)
          .catch((e: unknown) => deps.logger.error('alert delivery failed', { firing: f.id, error: String(e) }))
          .finally(() => running.delete(p));
        running.add(p);
      });
    },
    pending: () => running.size,
    async idle() {
      while (running.size) await Promise.all([...running]);
    },
    async close() {
      closing = true;
      for (const a of aborts) a.abort(new Error('shutting down'));
      await Promise.all([...running]);
    },
  };
}
