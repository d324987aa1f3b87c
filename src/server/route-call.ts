import type { Context } from 'hono';
import type { Admission } from '../enforce/admit.ts';
import { toGatewayError } from '../lib/errors.ts';
import type { RequestBody } from '../policy/input.ts';
import type { RouteInput, TranslatorFor } from '../routing/execute.ts';
import { RouteError } from '../routing/route-error.ts';
import { routeSettings } from '../routing/settings.ts';
import type { Attempt, Target } from '../routing/target.ts';
import type { Env } from './context.ts';
import type { AppDeps } from './deps.ts';
import { servedModelName } from './model-name.ts';
import { billedFailures } from '../exchange/close.ts';
import type { Exchange } from '../exchange/exchange.ts';

/** What the router needs for one admitted request. */
export function routeInput<T, Req>(c: Context<Env>, deps: AppDeps, admission: Admission<RequestBody>, body: Req, translatorFor: TranslatorFor<T>): RouteInput<T, Req> {
  const runtime = c.get('runtime');
  return {
    router: deps.router!,
    runtime,
    targets: admission.targets,
    settings: routeSettings(runtime.config.routing, admission.decision),
    body,
    clientHeaders: c.req.raw.headers,
    inputTokens: admission.inputTokens,
    promptCache: admission.decision?.prompt_cache,
    signal: c.req.raw.signal,
    translatorFor,
    modelName: servedModelName(runtime, admission.publicModel),
    trace: c.get('trace'),
  };
}

interface ServedTarget {
  target: Target;
  attempts: Attempt[];
  dropped?: string[];
  promptCache?: number;
  waitedMs?: number;
}

/**
 * The served target as the ledger records it, taken when the answer's headers are ready: the
 * gateway's overhead is the time since the request arrived less the upstream attempts and the
 * waits between them (what Tollgate itself added: reading, admission, policy, translation).
 */
export function servedMeta(c: Context<Env>, s: ServedTarget) {
  const upstreamMs = s.attempts.reduce((sum, a) => sum + a.ms, 0) + (s.waitedMs ?? 0);
  const overheadMs = Math.max(0, performance.now() - c.get('startedAt') - upstreamMs);
  return { provider: s.target.provider, servedModel: s.target.model, attempts: s.attempts, droppedParams: s.dropped?.length ? s.dropped : undefined, overheadMs };
}

/** Which target served, after how many attempts (and each attempt in short), the hints it did not send, and the gateway's own time. */
export function responseHeaders(c: Context<Env>, admission: Admission<RequestBody>, s: ServedTarget, meta: { overheadMs: number }): Record<string, string> {
  return {
    ...admission.headers,
    'x-tollgate-overhead-ms': meta.overheadMs.toFixed(2),
    'x-tollgate-served-by': `${s.target.provider}/${s.target.model}`,
    'x-tollgate-attempts': String(s.attempts.length),
    'x-tollgate-attempt-log': attemptLog(s.attempts),
    ...(s.dropped?.length ? { 'x-tollgate-dropped-params': s.dropped.join(', ') } : {}),
    ...(s.promptCache !== undefined ? { 'x-tollgate-prompt-cache-breakpoints': String(s.promptCache) } : {}),
    'x-request-id': c.get('requestId'),
  };
}

/** Records a routing failure in the ledger and returns the error to throw. */
export function failed(ex: Exchange, e: unknown) {
  const err = toGatewayError(e);
  const attempts = e instanceof RouteError ? e.attempts : [];
  const lastTry = attempts.at(-1);
  const outcome = err.code === 'client_closed' ? 'interrupted' : err.kind;
  ex.close({ status: err.status, outcome, attempts, provider: lastTry?.provider, servedModel: lastTry?.model, errorMessage: err.message, billedAttempts: billedFailures(attempts) });
  return err;
}

function attemptLog(attempts: Attempt[]): string {
  return attempts.map((a) => `${a.provider}/${a.model} ${a.status} ${a.ms}ms`.replace(/[^\x20-\x7e]/g, '?')).join(', ');
}
