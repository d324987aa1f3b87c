import type { Timer } from '../lib/clock.ts';
import { GatewayError } from '../lib/errors.ts';
import type { ProviderAdapter, UpstreamCall } from '../providers/types.ts';
import { answeredParts } from '../providers/fan-out.ts';
import type { Failure } from './classify.ts';
import { readBounded } from './read-bounded.ts';
import { retryAfterMs } from './retry-after.ts';
import type { Router } from './router.ts';
import { createWatchdog, watchBody, type Watchdog } from './timeouts.ts';

/** The slice of a translator one attempt needs: turn an upstream error into a GatewayError. */
export interface ErrorTranslator {
  error(status: number, body: string): GatewayError;
}

export interface SendInput {
  router: Router;
  adapter: ProviderAdapter;
  call: UpstreamCall;
  model: string;
  apiKey?: string;
  translator: ErrorTranslator;
  connectMs: number;
  ttfbMs: number;
  idleMs: number;
  /** The request's deadline on the router's clock. */
  deadline: number;
  /** How much of an error response is read (routing.limits.error_body_bytes). */
  errorBodyBytes: number;
  clientSignal: AbortSignal;
  /** Trace context for the provider (`traceparent`), when tracing is on. */
  traceHeaders?: Record<string, string>;
}

/** An upstream that answered 2xx: its response, the attempt's watchdog, and how to let go of it. */
export interface Answer {
  response: Response;
  dog: Watchdog;
  headersMs: number;
  /**
   * Stops the timers and, unless the body was read to its end (`drained`), aborts the upstream
   * request so that its socket closes. Idempotent.
   */
  close(drained?: boolean): void;
}

export type Sent = { ok: true; answer: Answer } | { ok: false; failure: Failure };

/** The client went away; nothing more is tried. */
export const clientGone = () => new GatewayError('invalid_request', 'The client closed the request.', { code: 'client_closed', status: 499 });

/**
 * One upstream call with its timeouts. A non-2xx answer is read (bounded by the same timers)
 * and turned into a Failure with the provider's error and any Retry-After.
 */
export async function send(i: SendInput): Promise<Sent> {
  const { router, adapter } = i;
  const prepared = await adapter.prepare(i.call, i.model, i.apiKey === undefined ? undefined : { apiKey: i.apiKey });
  const ac = new AbortController();
  const onClientGone = () => ac.abort(clientGone());
  i.clientSignal.addEventListener('abort', onClientGone, { once: true });
  const started = router.now();
  const deadline = Math.min(i.deadline, started + (adapter.config.timeout_ms ?? Infinity));
  const dog = createWatchdog({ provider: adapter.name, ttfbMs: i.ttfbMs, idleMs: i.idleMs, deadline, clock: router.clock }, (err) => ac.abort(err));
  let closed = false;
  let probe: Timer | undefined;
  const close = (drained = false) => {
    if (closed) return;
    closed = true;
    dog.stop();
    probe?.cancel();
    i.clientSignal.removeEventListener('abort', onClientGone);
    if (!drained && !ac.signal.aborted) ac.abort();
  };
  dog.start();
  const origin = originOf(prepared.url);
  let headers = false;
  // Only a cold origin still silent after half the connect window is probed (see connect-probe.ts).
  if (origin && i.connectMs < i.ttfbMs && !router.warm(origin)) {
    probe = router.clock.setTimeout(async () => {
      const reached = await router.probe(prepared.url, Math.ceil(i.connectMs / 2));
      if (reached === 'timeout' && !headers) dog.fire(new GatewayError('upstream_error', `${adapter.name} could not be connected to within ${i.connectMs} ms`, { code: 'connect_timeout' }));
    }, Math.floor(i.connectMs / 2));
  }
  if (i.clientSignal.aborted) {
    close();
    throw clientGone();
  }
  let res: Response;
  try {
    // Bun's own idle timer (5 min by default) is switched off: the watchdog governs. Redirects
    // are never followed: the request carries the provider's key, which must not reach another origin.
    const init: RequestInit & { timeout?: boolean } = { ...prepared.init, ...(i.traceHeaders && { headers: { ...prepared.init.headers, ...i.traceHeaders } }), signal: ac.signal, timeout: false, redirect: 'manual' };
    res = await dog.race(adapter.fetch(prepared.url, init));
    headers = true;
    probe?.cancel();
  } catch (e) {
    close();
    if (i.clientSignal.aborted) throw clientGone();
    const fired = dog.fired();
    if (fired) return { ok: false, failure: { kind: fired.code === 'connect_timeout' ? 'network' : 'timeout', error: fired } };
    return { ok: false, failure: { kind: 'network', error: new GatewayError('upstream_error', `${adapter.name} could not be reached (${networkCode(e)})`, { cause: e }) } };
  }
  if (origin) router.answered(origin);
  const headersMs = Math.round(router.now() - started);
  if (res.status >= 300 && res.status < 400) {
    close();
    // Not retried on this target (a redirect is configuration, not a blip); the router moves on.
    return { ok: false, failure: { kind: 'status', status: res.status, error: redirected(adapter.name, res, prepared.url) } };
  }
  if (!res.ok) {
    let drained = true;
    const read = await dog.race(readBounded(watchBody(res.body ?? emptyBody(), dog), i.errorBodyBytes)).catch(() => ((drained = false), { text: () => '', over: true }));
    if (read.over) drained = false;
    const text = read.text();
    close(drained);
    if (i.clientSignal.aborted) throw clientGone();
    const error = i.translator.error(res.status, text);
    // Some parts of a fanned-out call were answered before this one failed: the provider bills
    // them, so the attempt is a broken answer (billed by estimate), not a free refusal.
    const answered = answeredParts.get(res);
    if (answered) return { ok: false, failure: { kind: 'invalid', error: new GatewayError(error.kind === 'invalid_request' ? 'upstream_invalid' : error.kind, `${adapter.name} answered ${answered} of the request's parts, then one failed: ${error.message}`, { status: 502 }) } };
    return { ok: false, failure: { kind: 'status', status: res.status, error, retryAfterMs: retryAfterMs(res.headers, router.clock.wall()) } };
  }
  return { ok: true, answer: { response: res, dog, headersMs, close } };
}

/** Reads a whole JSON body, at most `maxBytes` of it, under the attempt's timers. */
export async function readJson(a: Answer, provider: string, maxBytes: number): Promise<{ ok: true; json: unknown } | { ok: false; failure: Failure }> {
  let text: string;
  try {
    const read = await readBounded(a.response.body && watchBody(a.response.body, a.dog), maxBytes);
    if (read.over) {
      return { ok: false, failure: { kind: 'invalid', error: new GatewayError('upstream_invalid', `${provider} sent a response larger than ${maxBytes} bytes (routing.limits.json_response_bytes).`, { code: 'upstream_response_too_large' }) } };
    }
    text = read.text();
  } catch (e) {
    const fired = a.dog.fired();
    if (fired) return { ok: false, failure: { kind: 'timeout', error: fired } };
    return { ok: false, failure: { kind: 'network', error: new GatewayError('upstream_error', `${provider} broke off its response (${networkCode(e)})`) } };
  }
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch {
    return { ok: false, failure: { kind: 'invalid', error: new GatewayError('upstream_invalid', `${provider} returned a response that is not JSON.`) } };
  }
}

const emptyBody = () => new ReadableStream<Uint8Array>({ start: (c) => c.close() });

/** A 3xx from a provider: named with its target's origin only (a Location may carry a token). */
function redirected(provider: string, res: Response, from: string): GatewayError {
  let where = 'no location';
  try {
    const location = res.headers.get('location');
    if (location) where = new URL(location, from).origin;
  } catch {
    where = 'an unreadable location';
  }
  return new GatewayError('upstream_error', `${provider} answered with a redirect (HTTP ${res.status} to ${where}); provider redirects are not followed.`, { code: 'upstream_redirect' });
}

function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** A short name for a transport error (ECONNRESET, ConnectionRefused, …), never its full text. */
export function networkCode(e: unknown): string {
  const code = e && typeof e === 'object' && 'code' in e ? String(e.code) : undefined;
  if (code) return code;
  return e instanceof Error ? e.name : 'error';
}
