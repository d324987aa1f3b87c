import type { Context } from 'hono';
import type { RequestBody } from '../policy/input.ts';
import type { ChatTranslator, Usage } from '../providers/types.ts';
import { routeJson, routeStream, type TranslatorFor } from '../routing/execute.ts';
import { admitRequest } from './admit-request.ts';
import type { Env } from './context.ts';
import type { AppDeps } from './deps.ts';
import { relayStream } from './relay-stream.ts';
import { failed, responseHeaders, routeInput, servedMeta } from './route-call.ts';
import { billedFailures } from '../exchange/close.ts';
import { paramRules, withParamRules } from '../providers/param-rules.ts';
import { clientAsk } from '../cache/plan.ts';
import { cacheHeaders, cacheState, cacheTurn, findCached, storeAnswer } from './cache-turn.ts';
import { serveHit } from './cache-hit.ts';
import { coalesceMiss } from './cache-flight.ts';

type ChatRequest = Extract<RequestBody, { endpoint: 'chat.completions' | 'messages' | 'completions' | 'responses' }>;

export interface ChatCall<B extends ChatRequest> {
  request: B;
  translatorFor: TranslatorFor<ChatTranslator<B['body']>>;
  /** A cached answer before it is served (the Responses API gives it a new id and keeps it). */
  onCacheHit?: (value: Record<string, unknown>) => Record<string, unknown>;
}

/** Shared by the chat endpoints (chat completions, messages, responses, legacy completions): admit, route, relay JSON or SSE, close the exchange. */
export async function handleChat<B extends ChatRequest>(c: Context<Env>, deps: AppDeps, call: ChatCall<B>): Promise<Response> {
  const stream = call.request.body.stream === true;
  const ask = clientAsk(c.req.raw.headers);
  const { ex, admission } = await admitRequest(c, deps, call.request, 'chat', stream);
  const turn = cacheTurn(c, deps.cache, admission, call.request.endpoint, ask);
  const found = turn && (await findCached(turn));
  if (found) return serveHit(c, ex, admission, turn, found, stream, call.onCacheHit);
  const cache = cacheState(turn);
  const cached = turn ? cacheHeaders(turn) : {};
  const model = c.get('runtime').catalog.resolve(admission.publicModel)?.model;
  // The config's parameter overrides for the provider each target is on, and for the model asked for.
  const translatorFor: typeof call.translatorFor = (adapter) => withParamRules(call.translatorFor(adapter), paramRules(adapter.config.params, model?.params), adapter.name);
  const input = routeInput(c, deps, admission, admission.request.body, translatorFor);
  // An identical miss under way here: wait for its answer rather than ask upstream twice.
  const flight = await coalesceMiss(turn, c.req.raw.signal);
  if (flight.hit) return serveHit(c, ex, admission, turn!, flight.hit, stream, call.onCacheHit);
  try {
    if (!stream) {
      const served = await routeJson(flight.upstreamSignal ? { ...input, signal: flight.upstreamSignal } : input);
      const meta = servedMeta(c, served);
      const usage = served.translator.usage();
      ex.close({ ...meta, status: 200, outcome: 'ok', usage, response: { value: served.value }, cache });
      flight.settle(storeAnswer(c, turn, served.target, served.value, usage, admission.publicModel));
      return c.json(served.value as object, 200, { ...responseHeaders(c, admission, served, meta), ...cached });
    }
    const served = await routeStream(input);
    const meta = servedMeta(c, served);
    const release = deps.drain?.hold();
    const capture = captureChars(admission.decision?.log_prompts === true ? c.get('runtime').config.capture.max_bytes : undefined, turn?.plan.write ? c.get('runtime').config.cache.max_entry_bytes : undefined);
    const body = relayStream(served, { schema: c.get('schema'), clientSignal: c.req.raw.signal, shutdown: deps.drain?.signal, startedAt: c.get('startedAt'), capture }, (end) => {
      release?.();
      ex.close({ ...meta, status: 200, outcome: end.outcome, usage: end.usage, ttftMs: end.ttftMs, deliveredTokens: end.deliveredTokens, deliveredText: end.deliveredText, deliveredEvents: end.deliveredEvents, response: end.response, billedAttempts: 1 + billedFailures(served.attempts), cache });
      // Only a stream that ran to its end, whole, and rebuilt without loss is an answer worth keeping.
      const whole = end.outcome === 'ok' && end.response && !end.response.truncated && !end.response.lossy;
      flight.settle(whole ? storeAnswer(c, turn, served.target, withWireUsage(end.response!.value, end.usage), end.usage, admission.publicModel) : undefined);
    });
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no', ...responseHeaders(c, admission, served, meta), ...cached },
    });
  } catch (e) {
    flight.settle();
    throw failed(ex, e);
  }
}

/**
 * A rebuilt chat stream has no `usage` when the client did not ask for it (the gateway removes
 * the chunk): the stored answer gets the upstream's counts, as the JSON answer would carry them.
 */
function withWireUsage(value: unknown, usage: Usage): unknown {
  const v = value as { object?: unknown; usage?: unknown } | undefined;
  if (!v || v.object !== 'chat.completion' || v.usage) return value;
  return { ...v, usage: { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.input_tokens + usage.output_tokens } };
}

/** Characters of a stream to reassemble: for prompt capture, for the cache, or both (the larger). */
function captureChars(capture: number | undefined, cache: number | undefined): number | undefined {
  if (capture === undefined) return cache;
  return cache === undefined ? capture : Math.max(capture, cache);
}
