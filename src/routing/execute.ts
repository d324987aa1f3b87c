import type { Runtime } from '../config/runtime.ts';
import type { RoutingConfig } from '../config/schema.ts';
import { GatewayError, toGatewayError } from '../lib/errors.ts';
import { apiKeysOf } from '../providers/credentials.ts';
import type { ChatTranslator, ProviderAdapter, TranslateContext, UpstreamCall, Usage } from '../providers/types.ts';
import { clientGone, readJson, send, type Answer } from './attempt.ts';
import { backoffMs } from './backoff.ts';
import type { RequestTrace } from '../obs/tracing.ts';
import { orderTargets, type BalancerView } from './balancer.ts';
import { classify, type Failure, type Verdict } from './classify.ts';
import { exhausted, relayed, secretsOf, scrub } from './route-error.ts';
import type { Deployment, Router } from './router.ts';
import type { RouteSettings } from './settings.ts';
import { openStream, type StreamVerdict, type UpstreamStream } from './stream.ts';
import { targetId, type Attempt, type Target } from './target.ts';
import { targetView } from './view.ts';

/** The translator-building step, so the router knows no wire format. */
export type TranslatorFor<T> = (adapter: ProviderAdapter) => T;

/** The translator calls the router makes; it never looks inside the bodies. */
export interface RoutedTranslator<Req> {
  request(body: Req, ctx: TranslateContext): UpstreamCall;
  response(json: unknown, headers?: Headers): unknown;
  usage(): Usage;
  error(status: number, body: string): GatewayError;
}

export interface RouteInput<T, Req> {
  router: Router;
  runtime: Runtime;
  /** The admission's targets, in the decision's order (balanced sets share a tier). */
  targets: Target[];
  settings: RouteSettings;
  body: Req;
  clientHeaders: Headers;
  /** The gateway's estimate of the prompt's tokens (TranslateContext.inputTokens). */
  inputTokens?: number;
  /** The decision's `prompt_cache` (TranslateContext.promptCache). */
  promptCache?: TranslateContext['promptCache'];
  /** Fires when the client goes away: the attempt in flight is aborted and nothing more is tried. */
  signal: AbortSignal;
  /** A fresh translator per attempt (translators keep per-request state). */
  translatorFor: TranslatorFor<T>;
  /** The model name a response from this target carries. */
  modelName: (t: Target) => string;
  /** The request's trace: a span per attempt, carried to the provider. */
  trace?: Pick<RequestTrace, 'attempt'>;
}

export interface Served<T, V> {
  translator: T;
  target: Target;
  attempts: Attempt[];
  value: V;
  /** Client hints the serving call did not send (UpstreamCall.dropped). */
  dropped: string[];
  /** Prompt-cache breakpoints Tollgate added (UpstreamCall.promptCache). */
  promptCache?: number;
  /** Time spent waiting between attempts (backoff, Retry-After), in ms. */
  waitedMs: number;
}

type Opened<V> = { ok: true; value: V; ttfbMs: number } | { ok: false; failure: Failure };
type Opener<T, V> = (a: Answer, translator: T, adapter: ProviderAdapter, done: (v: StreamVerdict) => void) => Promise<Opened<V>>;

/** Routes a non-streaming request: the translated JSON answer of the first target that gives one. */
export function routeJson<T extends RoutedTranslator<Req>, Req>(input: RouteInput<T, Req>): Promise<Served<T, unknown>> {
  return route(input, false, async (a, translator, adapter) => {
    const read = await readJson(a, adapter.name, input.settings.jsonResponseBytes);
    a.close(read.ok);
    if (!read.ok) return read;
    try {
      const value = translator.response(read.json, a.response.headers);
      return { ok: true, value, ttfbMs: a.headersMs };
    } catch (e) {
      return { ok: false, failure: { kind: 'invalid', error: toGatewayError(e) } };
    }
  });
}

/**
 * Routes a streaming request. Failures before the first client event are retried and fall
 * back like any other; the returned stream has already produced its first events.
 */
export function routeStream<Req>(input: RouteInput<ChatTranslator<Req>, Req>): Promise<Served<ChatTranslator<Req>, UpstreamStream>> {
  return route(input, true, async (a, translator, adapter, done) => {
    try {
      const opts = { finaliseMs: input.settings.finaliseMs, clock: input.router.clock, maxEventBytes: input.settings.sseEventBytes, secrets: secretsOf(input.runtime.config) };
      const value = await openStream(a, adapter, translator, opts, done);
      return { ok: true, value, ttfbMs: a.dog.firstByteMs() ?? a.headersMs };
    } catch (e) {
      const err = toGatewayError(e);
      return { ok: false, failure: { kind: err.kind === 'upstream_timeout' ? 'timeout' : 'invalid', error: err } };
    }
  });
}

/**
 * The attempt loop. Targets are tried in the balancer's order; each may be retried after a
 * transient failure with full-jitter backoff (at least its Retry-After), within the retry
 * budget, the attempt cap and the request's deadline. Open breakers, held deployments and
 * cooling keys are passed over. See docs/routing.md for the rules.
 */
async function route<T extends RoutedTranslator<Req>, Req, V>(input: RouteInput<T, Req>, stream: boolean, open: Opener<T, V>): Promise<Served<T, V>> {
  const { router, runtime, settings: s } = input;
  const cfg = runtime.config.routing;
  const deadline = router.now() + s.totalMs;
  const attempts: Attempt[] = [];
  const skipped: string[] = [];
  const secrets = secretsOf(runtime.config);
  let waited = 0;
  let last: GatewayError | undefined;
  let unsendable: GatewayError | undefined;
  // Whether every target was rate-limited (answered 429, or its keys are cooling down after
  // one), and the shortest wait asked: then the caller gets a 429 with Retry-After, not a 502.
  const limited = { all: true, waitMs: Infinity };
  const note = (rateLimited: boolean, waitMs = 0) => {
    if (!rateLimited) limited.all = false;
    else limited.waitMs = Math.min(limited.waitMs, waitMs);
  };
  const view: BalancerView = targetView(router, runtime, stream);
  const queue = orderTargets(input.targets.filter((t) => !t.only), s.strategy, view, router.random);
  const switched = new Set<string>();
  const timeLeft = () => Math.min(s.budgetMs - waited, deadline - router.now());
  const wait = async (ms: number) => {
    await router.clock.sleep(ms, input.signal).catch(() => {
      throw clientGone();
    });
    waited += ms;
  };

  targets: for (let i = 0; i < queue.length; i++) {
    const target = queue[i]!;
    const id = targetId(target);
    const adapter = runtime.adapters.get(target.provider);
    if (!adapter) {
      skipped.push(`${id}: provider not configured`);
      note(false);
      continue;
    }
    const dep = router.deployment(target, adapter.config);
    const keys = apiKeysOf(adapter.config);
    const othersLeft = () => i < queue.length - 1;
    for (let tries = 0; ; ) {
      if (input.signal.aborted) throw clientGone();
      if (attempts.length >= s.maxAttempts || deadline - router.now() <= 0) break targets;
      const now = router.now();
      const gate = dep.breaker.admit(now, cfg.breaker);
      if (!gate.ok) {
        skipped.push(`${id}: circuit open${gate.retryInMs ? ` for ${secs(gate.retryInMs)} more` : ', a probe is in flight'}`);
        note(false);
        continue targets;
      }
      const pick = router.keys.pick(target.provider, keys, target.model, now);
      const held = Math.max(dep.holdUntil - now, pick.ok ? 0 : pick.waitMs);
      if (!pick.ok || held > 0) {
        dep.breaker.release(gate.probe);
        if ((othersLeft() && held > 50) || held > timeLeft()) {
          skipped.push(`${id}: ${pick.ok ? 'asked to wait' : keys.length > 1 ? 'every key is cooling down' : 'its key is cooling down'} for ${secs(held)}`);
          note(!pick.ok && pick.rateLimited && dep.holdUntil <= now, held);
          continue targets;
        }
        await wait(held);
        continue;
      }
      const translator = input.translatorFor(adapter);
      let call: UpstreamCall;
      try {
        call = translator.request(input.body, { model: target.model, publicModel: input.modelName(target), clientHeaders: input.clientHeaders, inputTokens: input.inputTokens, promptCache: input.promptCache });
      } catch (e) {
        // This target's wire cannot express the request; another target's may.
        dep.breaker.release(gate.probe);
        unsendable = toGatewayError(e);
        skipped.push(`${id}: ${unsendable.message}`);
        note(false);
        continue targets;
      }
      const started = router.now();
      const keyNo = keys.length > 1 ? pick.index + 1 : undefined;
      dep.inflight++;
      let done = false;
      const span = input.trace?.attempt(target.provider, target.model);
      let result: { status: number | string; error?: string } = { status: 'cancelled' };
      /** Ends the attempt's in-flight count and records its outcome (none when it was cut short). */
      const finish = (failed: boolean | undefined, ttfbMs?: number) => {
        if (done) return;
        done = true;
        dep.inflight--;
        span?.end(result);
        if (failed !== undefined) dep.health.record(router.now(), { failed, ttfbMs, stream }, cfg.health.ewma_alpha);
      };
      let opened: Opened<V>;
      try {
        // A stream's first event must come within the request's deadline; once it streams, it
        // runs to stream_total_ms while it keeps producing (idle_ms), not to the request's deadline.
        const left = deadline - started;
        const timers = stream ? { ttfbMs: Math.min(s.ttfbMs, left), deadline: started + Math.max(s.streamTotalMs, left) } : { ttfbMs: s.ttfbMs, deadline };
        const sent = await send({ router, adapter, call, model: target.model, apiKey: pick.key || undefined, translator, connectMs: s.connectMs, idleMs: s.idleMs, ...timers, errorBodyBytes: s.errorBodyBytes, clientSignal: input.signal, traceHeaders: span?.headers });
        let ttfb: number | undefined;
        opened = sent.ok
          ? await open(sent.answer, translator, adapter, (v) => {
              if (v === 'failed') dep.breaker.failure(router.now(), cfg.breaker, false);
              result = v === 'failed' ? { status: 'stream_failed' } : v === 'cancelled' ? { status: 'cancelled' } : { status: 200 };
              finish(v === 'failed', ttfb);
            })
          : sent;
        if (opened.ok) ttfb = opened.ttfbMs;
      } catch (e) {
        dep.breaker.release(gate.probe);
        finish(undefined);
        throw input.signal.aborted ? clientGone() : e;
      }
      const ms = Math.round(router.now() - started);
      if (opened.ok) {
        result = { status: 200 };
        // A stream reports its end through the opener's callback; a JSON answer is done now.
        if (!stream) finish(false, opened.ttfbMs);
        dep.breaker.success(router.now(), cfg.breaker, gate.probe);
        attempts.push({ provider: target.provider, model: target.model, status: 200, ms, key: keyNo });
        return { translator, target, attempts, value: opened.value, dropped: call.dropped ?? [], promptCache: call.promptCache, waitedMs: waited };
      }
      const f = opened.failure;
      const verdict = classify(f);
      last = f.error;
      attempts.push({ provider: target.provider, model: target.model, status: attemptStatus(f), ms, key: keyNo, error: f.error.message });
      // Scrubbed like every message that leaves: a provider's error may echo the key.
      result = { status: attemptStatus(f), error: scrub(f.error.message, secrets) };
      finish(verdict.breaker);
      note(f.status === 429, f.retryAfterMs ?? cfg.keys.rate_limit_cooldown_ms);
      const after = router.now();
      remember(router, cfg, dep, gate.probe, target, pick.key, f, verdict, after);
      switch (verdict.action) {
        case 'stop':
          throw relayed(f.error, attempts, secrets);
        case 'context_length':
        case 'content_policy': {
          const extra = input.targets.filter((t) => t.only === verdict.action);
          if (!extra.length || switched.has(verdict.action)) throw relayed(f.error, attempts, secrets);
          // The usual chain would fail the same way: continue with the decision's targets for this error.
          switched.add(verdict.action);
          queue.splice(i + 1, queue.length, ...orderTargets(extra, s.strategy, view, router.random));
          continue targets;
        }
        case 'key':
          if (router.keys.available(target.provider, keys, target.model, after) && tries < s.maxRetries) {
            tries++;
            continue;
          }
          continue targets;
        case 'next':
          // A timeout is retried on the same target only when no other target is left, and
          // only when the deadline still holds a whole first-byte wait (a hung upstream is
          // most likely still hung: waiting again would only hold the client longer).
          if (f.kind !== 'timeout' || othersLeft() || deadline - router.now() < s.ttfbMs) continue targets;
      }
      if (tries >= s.maxRetries) continue targets;
      const otherKey = f.status === 429 && router.keys.available(target.provider, keys, target.model, after);
      const delay = otherKey ? 0 : Math.max(backoffMs(tries, s.backoffBaseMs, s.backoffMaxMs, router.random), f.retryAfterMs ?? 0);
      if (delay > timeLeft()) {
        skipped.push(`${id}: the wait it asked for (${secs(delay)}) is longer than the time left`);
        continue targets;
      }
      if (delay > 0) await wait(delay);
      tries++;
    }
  }
  if (!attempts.length && unsendable) throw relayed(unsendable, attempts, secrets);
  throw exhausted(attempts, skipped, last, secrets, limited.all && Number.isFinite(limited.waitMs) ? limited.waitMs : undefined);
}

/**
 * What a failure teaches the router: the breaker's verdict (a 4xx proves the deployment alive;
 * 429 and key refusals say nothing of it), a key's rest after a 429 or a 401/403, and a hold
 * on the deployment for the Retry-After of a 503 or 529.
 */
function remember(router: Router, cfg: RoutingConfig, dep: Deployment, probe: boolean, target: Target, key: string, f: Failure, verdict: Verdict, now: number): void {
  if (verdict.breaker) dep.breaker.failure(now, cfg.breaker, probe);
  else if (f.status === 429 || verdict.action === 'key') dep.breaker.release(probe);
  else dep.breaker.success(now, cfg.breaker, probe);
  if (f.status === 429) router.keys.rateLimited(target.provider, key, target.model, now + (f.retryAfterMs ?? cfg.keys.rate_limit_cooldown_ms));
  else if (verdict.action === 'key') router.keys.refused(target.provider, key, now + cfg.keys.auth_cooldown_ms);
  else if (f.retryAfterMs !== undefined && verdict.breaker) dep.holdUntil = now + f.retryAfterMs;
}

function attemptStatus(f: Failure): Attempt['status'] {
  if (f.kind === 'status') return f.status!;
  return f.kind === 'timeout' ? 'timeout' : f.kind === 'invalid' ? 'invalid_response' : 'network_error';
}

function secs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
