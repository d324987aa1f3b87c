import type { Context } from 'hono';
import type { RequestBody } from '../policy/input.ts';
import type { ChatTranslator } from '../providers/types.ts';
import { routeJson, routeStream, type TranslatorFor } from '../routing/execute.ts';
import { admitRequest } from './admit-request.ts';
import type { Env } from './context.ts';
import type { AppDeps } from './deps.ts';
import { relayStream } from './relay-stream.ts';
import { failed, responseHeaders, routeInput, servedMeta } from './route-call.ts';
import { billedFailures } from '../exchange/close.ts';
import { paramRules, withParamRules } from '../providers/param-rules.ts';

type ChatRequest = Extract<RequestBody, { endpoint: 'chat.completions' | 'messages' | 'completions' | 'responses' }>;

export interface ChatCall<B extends ChatRequest> {
  request: B;
  translatorFor: TranslatorFor<ChatTranslator<B['body']>>;
}

/** Shared by the chat endpoints (chat completions, messages, responses, legacy completions): admit, route, relay JSON or SSE, close the exchange. */
export async function handleChat<B extends ChatRequest>(c: Context<Env>, deps: AppDeps, call: ChatCall<B>): Promise<Response> {
  const stream = call.request.body.stream === true;
  const { ex, admission } = await admitRequest(c, deps, call.request, 'chat', stream);
  const model = c.get('runtime').catalog.resolve(admission.publicModel)?.model;
  // The config's parameter overrides for the provider each target is on, and for the model asked for.
  const translatorFor: typeof call.translatorFor = (adapter) => withParamRules(call.translatorFor(adapter), paramRules(adapter.config.params, model?.params), adapter.name);
  const input = routeInput(c, deps, admission, admission.request.body, translatorFor);
  try {
    if (!stream) {
      const served = await routeJson(input);
      const meta = servedMeta(c, served);
      ex.close({ ...meta, status: 200, outcome: 'ok', usage: served.translator.usage(), response: { value: served.value } });
      return c.json(served.value as object, 200, responseHeaders(c, admission, served, meta));
    }
    const served = await routeStream(input);
    const meta = servedMeta(c, served);
    const release = deps.drain?.hold();
    const capture = admission.decision?.log_prompts === true ? c.get('runtime').config.capture.max_bytes : undefined;
    const body = relayStream(served, { schema: c.get('schema'), clientSignal: c.req.raw.signal, shutdown: deps.drain?.signal, startedAt: c.get('startedAt'), capture }, (end) => {
      release?.();
      ex.close({ ...meta, status: 200, outcome: end.outcome, usage: end.usage, ttftMs: end.ttftMs, deliveredTokens: end.deliveredTokens, deliveredText: end.deliveredText, deliveredEvents: end.deliveredEvents, response: end.response, billedAttempts: 1 + billedFailures(served.attempts) });
    });
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no', ...responseHeaders(c, admission, served, meta) },
    });
  } catch (e) {
    throw failed(ex, e);
  }
}
