import { GatewayError, toGatewayError } from '../lib/errors.ts';
import type { Runtime } from '../config/runtime.ts';
import type { ChatTranslator, EmbeddingsTranslator, ProviderAdapter, StreamEvent, UpstreamCall } from '../providers/types.ts';
import type { Attempt, Target } from './target.ts';

/** The translator-building step, so the router knows no wire format. */
export type TranslatorFor<T> = (adapter: ProviderAdapter) => T;

export interface ExecuteInput<T extends ChatTranslator<Req> | EmbeddingsTranslator, Req> {
  runtime: Runtime;
  targets: Target[];
  publicModel: string;
  body: Req;
  clientHeaders: Headers;
  /** Fires when the client goes away; the upstream request is aborted with it. */
  signal: AbortSignal;
  translatorFor: TranslatorFor<T>;
}

export interface Served<T> {
  translator: T;
  target: Target;
  attempts: Attempt[];
  response: Response;
  adapter: ProviderAdapter;
  /** Aborts the upstream request (client gone, or stream finished early). */
  abort: () => void;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504, 529]);

/**
 * Tries the targets in order until one answers 2xx. A failure that another target could fix
 * (rate limit, 5xx, network) moves on; a client mistake (4xx) stops at once. Returns the open
 * upstream response for the caller to read (JSON or stream).
 */
export async function execute<T extends ChatTranslator<Req> | EmbeddingsTranslator, Req>(input: ExecuteInput<T, Req>): Promise<Served<T>> {
  const attempts: Attempt[] = [];
  let lastError: GatewayError | undefined;
  for (const target of input.targets) {
    const adapter = input.runtime.adapters.get(target.provider);
    if (!adapter) {
      lastError = new GatewayError('unavailable', `Provider '${target.provider}' is not configured.`);
      attempts.push({ provider: target.provider, model: target.model, status: 'network_error', ms: 0, error: 'not configured' });
      continue;
    }
    const translator = input.translatorFor(adapter);
    const call: UpstreamCall = (translator as ChatTranslator<Req>).request(input.body, {
      model: target.model,
      publicModel: input.publicModel,
      clientHeaders: input.clientHeaders,
    });
    const prepared = await adapter.prepare(call, target.model);
    const ac = new AbortController();
    const onClientAbort = () => ac.abort(input.signal.reason);
    if (input.signal.aborted) throw new GatewayError('invalid_request', 'The client closed the request.');
    input.signal.addEventListener('abort', onClientAbort, { once: true });
    const timeout = setTimeout(() => ac.abort(new GatewayError('upstream_timeout', `${target.provider} did not answer within ${adapter.config.timeout_ms} ms`)), adapter.config.timeout_ms);
    const started = performance.now();
    const cleanup = () => {
      clearTimeout(timeout);
      input.signal.removeEventListener('abort', onClientAbort);
    };
    let res: Response;
    try {
      res = await adapter.fetch(prepared.url, { ...prepared.init, signal: ac.signal });
    } catch (e) {
      cleanup();
      const err = ac.signal.reason instanceof GatewayError ? ac.signal.reason : new GatewayError('upstream_error', `${target.provider} could not be reached.`, { cause: e });
      if (input.signal.aborted) throw err;
      attempts.push({ provider: target.provider, model: target.model, status: err.kind === 'upstream_timeout' ? 'timeout' : 'network_error', ms: ms(started), error: err.message });
      lastError = err;
      continue;
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      cleanup();
      const err = translator.error(res.status, text);
      attempts.push({ provider: target.provider, model: target.model, status: res.status, ms: ms(started), error: err.message });
      lastError = err;
      if (RETRYABLE.has(res.status)) continue;
      throw withAttempts(err, attempts);
    }
    attempts.push({ provider: target.provider, model: target.model, status: res.status, ms: ms(started) });
    // The total timeout keeps running while the body is read; cleanup happens via abort().
    return {
      translator,
      target,
      attempts,
      response: res,
      adapter,
      abort: () => {
        cleanup();
        if (!ac.signal.aborted) ac.abort();
      },
    };
  }
  throw withAttempts(lastError ?? new GatewayError('unavailable', 'No provider is available for this model.'), attempts);
}

function withAttempts(err: GatewayError, attempts: Attempt[]): GatewayError {
  if (attempts.length <= 1) return err;
  const summary = attempts.map((a) => `${a.provider}/${a.model}: ${a.status}${a.error ? ` (${a.error})` : ''}`).join('; ');
  return new GatewayError(err.kind === 'invalid_request' ? err.kind : 'upstream_error', `All targets failed: ${summary}`, { code: err.code });
}

function ms(started: number): number {
  return Math.round(performance.now() - started);
}

/** Reads a JSON body from an upstream response, as a GatewayError when it is not JSON. */
export async function upstreamJson(res: Response, provider: string): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new GatewayError('upstream_invalid', `${provider} returned a response that is not JSON.`, { cause: toGatewayError(e) });
  }
}

export type { StreamEvent };
