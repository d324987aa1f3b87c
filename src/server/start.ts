import { ConfigError, formatProblem } from '../config/load.ts';
import { buildRuntime, runtimeHolder } from '../config/runtime.ts';
import type { Logger } from '../lib/logger.ts';
import { realClock, type Clock } from '../lib/clock.ts';
import type { DecisionLogConfig, GatewayConfig } from '../config/schema.ts';
import type { ConfigSource } from '../cli/config-source.ts';
import { createApp } from './app.ts';
import { watchConfig } from './watch-config.ts';
import { banner } from './banner.ts';
import { displayUrl, startupError, type Store } from '../store/client.ts';
import type { DatabaseThread } from '../store/database-thread.ts';
import { migrate } from '../store/migrate.ts';
import { usageWriter, type UsageWriter } from '../store/usage-writer.ts';
import type { UsageRecord } from '../store/usage-record.ts';
import type { BudgetScope } from '../store/budgets.ts';
import { createMetrics, type Metrics } from '../obs/metrics.ts';
import { spentIn } from '../store/budgets.ts';
import type { Tracing } from '../obs/tracing.ts';
import { decisionLog, type DecisionLog } from '../store/decision-log.ts';
import { journalDir, usageJournal } from '../store/usage-journal.ts';
import { stateDir } from '../lib/cache-dir.ts';
import { keyCache } from '../store/key-cache.ts';
import { checkSemanticSetup, semanticIndexFor, semanticSettings } from '../cache/semantic-setup.ts';
import { spendCounters } from '../store/counters.ts';
import { teamCache } from '../store/team-cache.ts';
import { instanceLiveness, releaseOwnerlessLeases } from '../store/instance-liveness.ts';
import { budgetGate } from '../store/budget-leases.ts';
import { rateLimiter } from '../limits/rate-limiter.ts';
import { rateGate } from '../store/rate-leases.ts';
import { createPolicyRuntime, PolicyLoadError, type PolicyRuntime } from '../policy/runtime.ts';
import { formatProblem as formatRegoProblem } from '../policy/loader.ts';
import { createRouter } from '../routing/router.ts';
import { createDrain } from './drain.ts';
import { GatewayError } from '../lib/errors.ts';
import { errorBody } from '../lib/render-error.ts';
import { compileCache } from '../policy/compile-cache.ts';
import { precompiledPolicies } from '../policy/embedded/precompiled.ts';
import { dirname } from 'node:path';
import { anonymousExposure } from '../config/exposure.ts';
import { prepareStart, StartRefused, type PreparedStart } from './start-prepare.ts';
import { planReload } from '../config/restart-fields.ts';
import { responseKeeper } from './response-keeper.ts';
import { createResponseCache } from '../cache/response-cache.ts';
import { createAlerter } from '../alerts/alerter.ts';
import { recordAudit } from '../store/audit.ts';
import { sha256Hex } from '../lib/hash.ts';

export { StartRefused };

/** Where each finished request's record goes: the ledger, the metrics, and the request's span. */
function usageSink(ledger: UsageWriter | undefined, metrics: Metrics | undefined, tracing: Tracing | undefined): ((r: UsageRecord) => void) | undefined {
  if (!ledger && !metrics && !tracing) return undefined;
  return (r) => {
    // The row first: a fault in metrics or tracing must never cost a usage row.
    ledger?.write(r);
    try {
      metrics?.record(r);
      tracing?.finish(r);
    } catch {
      // Observability is best effort; the row is already queued.
    }
  };
}

export interface StartOptions {
  source: ConfigSource;
  port?: number;
  host?: string;
  logger?: Logger;
  /** Handle SIGTERM/SIGINT (off in tests that start several gateways). */
  signals?: boolean;
  /** Skip the start-up banner. */
  quiet?: boolean;
  /** Timeouts, backoff, breakers, stream finaliser and drain run on it (tests pass a fake). */
  clock?: Clock;
  /** Budget-lease heartbeats, the dead-instance sweep and the stored-responses purge run on it (default: `clock`; tests pass a fake). */
  leaseClock?: Clock;
  /** A database thread started ahead (serve starts it before loading this module); taken for a local file. */
  databaseThread?: DatabaseThread;
  /** prepareStart's result, when the caller ran it ahead (serve, while this module loads); else it runs first here. */
  prepared?: PreparedStart;
}

export interface Gateway {
  url: string;
  /** Resolves when the server has stopped. */
  closed: Promise<void>;
  stop(): Promise<void>;
}

/** Loads config, starts the HTTP server, reloads config on change, drains on SIGTERM. */
export async function startGateway(opts: StartOptions): Promise<Gateway> {
  const { loaded, logger, host, policyFrom, tls, opening } = opts.prepared ?? (await prepareStart(opts));
  const { config } = loaded;
  const holder = runtimeHolder(buildRuntime(config));
  // The policy loads (main-thread work: inflate, instantiate) while the database thread opens and
  // migrates; a database that fails is still reported first, and the policy loaded meanwhile closed.
  // Policy reloads are audited once the database is open (a reload only comes later, from the watcher).
  let onPolicyReload: (r: { revision: string; previous: string }) => void = () => {};
  const loadingPolicy = policyFrom ? startPolicy(config, policyFrom, logger, (r) => onPolicyReload(r)) : Promise.resolve(undefined);
  loadingPolicy.catch(() => undefined);
  const closePolicy = () => loadingPolicy.then((p) => p?.close(), () => undefined);
  const store = await opening.catch(async (e: unknown) => {
    await closePolicy();
    throw e;
  });
  // A full or read-only disk surfaces here or at the first writes below: one line, exit 1.
  const storage = <T>(p: Promise<T>): Promise<T> =>
    p.catch(async (e: unknown) => {
      store.close();
      await closePolicy();
      throw startupError(config.database.url, e);
    });
  const applied = await storage(store.migrated ?? migrate(store.client));
  logger.info('database opened', { url: displayUrl(config.database.url), ...(applied.length ? { migrated: applied } : {}) });
  const ledger = config.ledger.enabled ? usageWriter(store, logger, { intervalMs: config.ledger.flush_ms, journal: ledgerJournal(config, opts.source.path) }) : undefined;
  // Rows an earlier run journalled (the database was down, or it stopped during an outage) go in
  // first; a journal that takes longer than 5 s (about 50,000 rows) finishes while serving.
  const replaying = ledger?.recover().catch(() => logger.warn('usage journal kept for later: the database does not take it yet', { ...ledger.health() }));
  if (replaying) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([replaying, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
    clearTimeout(timer);
  }
  const clock = opts.clock ?? realClock;
  const keys = keyCache(store, logger, { now: () => clock.wall() });
  // Leases taken by a version without heartbeats: their unspent room goes back, nothing is booked.
  const swept = await storage(releaseOwnerlessLeases(store, 10 * 60_000, Date.now()));
  if (swept) logger.warn('released budget leases left open by an earlier version', { count: swept });
  // Reloads the gateway makes itself (a changed config file or policy) go to the audit log.
  let instanceId = 'starting';
  const auditReload = (action: string, detail: Record<string, unknown>) =>
    void recordAudit(store, { actor: 'gateway', source: instanceId, action, target: opts.source.path ?? null, detail }).catch((e: unknown) => logger.error('audit log write failed', { action, error: String(e) }));
  onPolicyReload = (r) => auditReload('policy.reload', r);
  const policy = await loadingPolicy;
  // Router state (breakers, latency, keys) lives as long as the process, across config reloads.
  // Alerts: created before the router (breakers report to it); the instance id comes once liveness exists.
  let alerter: ReturnType<typeof createAlerter> | undefined;
  const router = createRouter({ clock, onBreakerOpen: (provider, model, n) => alerter?.breakerOpened(provider, model, n) });
  const drain = createDrain(clock);
  const liveness = instanceLiveness(store, logger, { clock: opts.leaseClock ?? clock, onLost: () => budgets.disown() });
  const budgets = budgetGate(store, logger, { flushMs: config.ledger.flush_ms, owner: liveness.id, fresh: liveness.fresh });
  await storage(liveness.start());
  instanceId = liveness.id;
  alerter = createAlerter({ store, config: () => holder.current().config.alerts, clock, logger, instance: liveness.id, ledger: () => ledger?.health(), bookMs: config.ledger.flush_ms });
  const rates = rateGate(store, logger);
  const metrics = config.metrics.enabled
    ? createMetrics({ config: () => holder.current().config, knownModel: (m) => !!holder.current().catalog.resolve(m), deployments: () => router.deployments(holder.current().config.routing.health.window_ms), ledger: () => ledger?.health(), spent: (w) => spentIn(store, w), now: () => clock.wall() })
    : undefined;
  // The OpenTelemetry SDK is loaded only when traces are configured.
  const tracing = config.tracing ? await (await import('../obs/tracing.ts')).createTracing(config.tracing, (p) => holder.current().config.providers[p]?.type) : undefined;
  const decisions = policy ? decisionLogOf(config.policy.decision_log, store, logger) : undefined;
  const enforce = { logger, limiter: rateLimiter(), rates, policy, decisions, budgets, budgetWatch: (scopes: BudgetScope[], exhausted?: boolean) => alerter?.budgetsTouched(scopes, exhausted), counters: spendCounters(store), team: teamCache(store), health: router.providerHealth, metrics };
  let ready = true;
  let server: ReturnType<typeof Bun.serve> | undefined;
  const settling = new Set<Promise<void>>();
  // A socket's idle limit bounds headers and bodies that stall (Bun's only read timer); once a
  // body is in, it is lifted while the upstream works, and put back before the answer ends.
  const idleSeconds = Math.min(255, Math.max(1, Math.ceil(config.server.body_timeout_ms / 1000)));
  const lifted = new WeakSet<Request>();
  const bodyRead = (req: Request) => {
    lifted.add(req);
    server?.timeout(req, 0);
  };
  // Expired stored responses are purged on a timer, on the housekeeping clock as the lease heartbeats are.
  const semanticOn = semanticSettings(config.cache);
  if (semanticOn) await storage(checkSemanticSetup(store.client, holder.current(), semanticOn, clock.wall()));
  const responses = responseKeeper(store, logger, () => clock.wall());
  responses.start(opts.leaseClock ?? clock);
  const onUsage = usageSink(ledger, metrics, tracing);
  // The semantic cache's embeddings are requests of their own: admitted, routed and booked like the app's.
  const semantic = semanticIndexFor(store.client, config.cache, { exchange: { logger, onUsage, settling }, enforce, router, logger, now: () => clock.wall() });
  const cache = createResponseCache({ store, logger, config: () => holder.current().config.cache, wall: () => clock.wall(), semantic });
  const app = createApp({ runtime: holder, keys, store, logger, enforce, settling, router, drain, clock, bodyRead, responses, cache, ready: () => ready, metrics, tracing, onUsage, ledger, clientIp: (req) => server?.requestIP(req)?.address });
  server = Bun.serve({
    hostname: host,
    tls,
    port: opts.port ?? config.server.port,
    async fetch(req, srv) {
      // Draining: health checks still answer (/readyz says 503), new API work is refused.
      if (drain.draining() && new URL(req.url).pathname.startsWith('/v1/')) return refuse(req);
      const release = drain.hold();
      // No body to wait for: the idle limit is lifted at once (a slow admin query is not cut).
      if (!hasBody(req)) bodyRead(req);
      try {
        const res = await app.fetch(req, srv);
        return settleSocket(req, res, lifted.has(req) ? () => srv.timeout(req, idleSeconds) : undefined);
      } finally {
        release();
      }
    },
    idleTimeout: idleSeconds,
    // Bodies over the configured limit are refused in readBody with a 413 in the caller's schema.
    maxRequestBodySize: Math.max(config.server.max_body_bytes * 2, 1024 * 1024),
  });
  const url = `${tls ? 'https' : 'http'}://${server.hostname}:${server.port}`;
  const unwatch = opts.source.path
    ? watchConfig(opts.source.path, async () => {
        try {
          const next = await opts.source.load();
          // An edit cannot turn on what start would have refused.
          const exposedNext = anonymousExposure(next.config.server, host);
          if (exposedNext) throw new Error(exposedNext);
          const plan = planReload(config, holder.current().config, next.config);
          if (plan.restart.length) logger.warn('config change needs a restart; the running values are kept until then', { file: opts.source.path, fields: plan.restart });
          if (!plan.changed) return;
          // Compared with the data being replaced (read before the swap, not after it).
          const dataChanged = JSON.stringify(plan.config.policy.data) !== JSON.stringify(holder.current().config.policy.data);
          holder.swap(buildRuntime(plan.config));
          if (policy && dataChanged) await policy.reload({ data: plan.config.policy.data });
          logger.info('config reloaded', { file: opts.source.path, providers: Object.keys(plan.config.providers).length, models: Object.keys(plan.config.models).length });
          auditReload('config.reload', { revision: configRevision(plan.config), ...(policy && dataChanged ? { policy_revision: policy.revision() } : {}) });
        } catch (e) {
          const why = e instanceof ConfigError ? e.problems.map(formatProblem) : [String(e)];
          logger.error('config reload failed; keeping the running config', { file: opts.source.path, problems: why });
        }
      })
    : () => {};
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      ready = false;
      unwatch();
      const timeoutMs = holder.current().config.server.drain_timeout_ms;
      logger.info('shutting down: draining in-flight requests', { inflight: drain.inflight(), drain_timeout_ms: timeoutMs });
      const { cut } = await drain.drain(timeoutMs);
      if (cut) {
        logger.warn('drain time is up: cutting what is still in flight', { requests: cut });
        // The cut streams end with an error event; give them a moment to reach their clients.
        await drain.drain(1_000);
      }
      // Responses still being written finish; idle keep-alive connections are then closed.
      for (let i = 0; i < 100 && server.pendingRequests > 0; i++) await Bun.sleep(10);
      await server.stop(true);
      await Promise.all([...settling]);
      await ledger?.close();
      await cache.flush();
      await tracing?.shutdown().catch((e: unknown) => logger.warn('traces not exported at shutdown', { error: String(e) }));
      await decisions?.close();
      const released = await budgets.close().then(
        () => true,
        (e: unknown) => (logger.error('budget leases not released; a live instance releases them within 30 s', { error: String(e) }), false),
      );
      await alerter?.close().catch((e: unknown) => logger.warn('alerts not closed cleanly', { error: String(e) }));
      await liveness.close(released);
      await rates.close().catch((e) => logger.warn('rate-limit room not given back; it lapses with its minute', { error: String(e) }));
      keys.close();
      responses.close();
      await policy?.close();
      store.close();
      resolveClosed();
    })());
  if (opts.signals !== false) {
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
  }
  const policyFacts = policy && policyFrom ? { source: policyFrom.label, revision: policy.revision() } : undefined;
  if (!opts.quiet) console.log(banner(url, holder.current(), { configPath: opts.source.path, databaseUrl: config.database.url, policy: policyFacts, adminApi: !!process.env.TOLLGATE_MASTER_KEY }));
  return { url, closed, stop };
}

/**
 * A body left unread (a 401 before it, a 413, a refusal) closes the connection instead of
 * waiting for bytes that may never come; a lifted idle limit is restored once the answer is
 * written (a stream: at its end).
 */
function settleSocket(req: Request, res: Response, restore: (() => void) | undefined): Response {
  const unread = !req.bodyUsed && hasBody(req);
  if (unread) res = withHeader(res, 'connection', 'close');
  if (!restore) return res;
  if (!res.body || !res.headers.get('content-type')?.includes('text/event-stream')) {
    restore();
    return res;
  }
  const body = res.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: restore }));
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

const hasBody = (req: Request) => Number(req.headers.get('content-length') ?? '0') > 0 || req.headers.has('transfer-encoding');

function withHeader(res: Response, name: string, value: string): Response {
  try {
    res.headers.set(name, value);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    copy.headers.set(name, value);
    return copy;
  }
}

function refuse(req: Request): Response {
  const err = new GatewayError('unavailable', 'The gateway is shutting down; send the request to another instance.');
  const schema = new URL(req.url).pathname.startsWith('/v1/messages') ? 'anthropic' : 'openai';
  return Response.json(errorBody(err, schema), { status: 503, headers: { connection: 'close', 'retry-after': '1' } });
}

function decisionLogOf(c: DecisionLogConfig, store: Store, logger: Logger): DecisionLog | undefined {
  if (!c.enabled) return undefined;
  return decisionLog(store, logger, { sampleRate: c.sample_rate, denySampleRate: c.deny_sample_rate, retentionMs: c.retention, maxInputBytes: c.max_input_bytes, maxQueue: c.max_queue, intervalMs: c.flush_ms });
}

/** A short content hash of the parsed config in force, to tell revisions apart in the audit log. */
const configRevision = (c: GatewayConfig) => 'cfg_' + sha256Hex(JSON.stringify(c)).slice(0, 12);

async function startPolicy(config: GatewayConfig, from: NonNullable<PreparedStart['policyFrom']>, logger: Logger, onReload: (r: { revision: string; previous: string }) => void): Promise<PolicyRuntime> {
  const { watch, label: _label, ...source } = from;
  const seed = await precompiledPolicies();
  // Compiled policies are kept next to a file database, so a restart skips the compiler.
  const dbFile = config.database.url.startsWith('file:') ? config.database.url.slice('file:'.length) : undefined;
  const cache = compileCache({ dir: dbFile ? `${dirname(dbFile)}/policy-cache` : undefined, seed: seed ? [seed] : [] });
  try {
    const policy = await createPolicyRuntime({ ...source, data: config.policy.data, logger, watch, cache, onReload });
    logger.info('policy loaded', { source: 'dir' in source ? source.dir : 'bundle' in source ? source.bundle : source.name, revision: policy.revision() });
    return policy;
  } catch (e) {
    if (e instanceof PolicyLoadError) throw new ConfigError(e.problems.map((p) => ({ file: p.file, line: p.line, col: p.col, path: 'policy', message: p.message, hint: 'fix the policy; `tollgate policy check` shows every problem' })));
    throw e;
  }
}

function ledgerJournal(config: GatewayConfig, configPath: string | undefined) {
  const dir = journalDir(config.database.url, config.ledger.journal_dir, configPath ? dirname(configPath) : process.cwd(), stateDir());
  return dir ? usageJournal(dir, config.ledger.journal_max_bytes) : undefined;
}
