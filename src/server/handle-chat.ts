import type { Context } from 'hono';
import { toGatewayError } from '../lib/errors.ts';
import type { RequestBody } from '../policy/input.ts';
import type { ChatTranslator } from '../providers/types.ts';
import { execute, upstreamJson, type TranslatorFor } from '../routing/execute.ts';
import { admitRequest } from './admit-request.ts';
import type { Env } from './context.ts';
import type { AppDeps } from './deps.ts';
import { relayStream } from './relay-stream.ts';
import { settle } from './settle.ts';

type ChatRequest = Extract<RequestBody, { endpoint: 'chat.completions' | 'messages' }>;

export interface ChatCall<B extends ChatRequest> {
  request: B;
  translatorFor: TranslatorFor<ChatTranslator<B['body']>>;
}

/** Shared by both chat endpoints: admit, execute, relay JSON or SSE, settle usage. */
export async function handleChat<B extends ChatRequest>(c: Context<Env>, deps: AppDeps, call: ChatCall<B>): Promise<Response> {
  const stream = call.request.body.stream === true;
  const admission = await admitRequest(c, deps, call.request, 'chat', stream);
  const signal = c.req.raw.signal;
  const base = { c, deps, endpoint: call.request.endpoint, requestedModel: call.request.body.model, stream, admission };
  let served;
  try {
    served = await execute({
      runtime: c.get('runtime'),
      targets: admission.targets,
      publicModel: admission.publicModel,
      body: admission.request.body,
      clientHeaders: c.req.raw.headers,
      signal,
      translatorFor: call.translatorFor,
    });
  } catch (e) {
    const err = toGatewayError(e);
    settle(base, { status: err.status, outcome: err.kind, attempts: [], errorMessage: err.message });
    throw err;
  }
  const headers = {
    ...admission.headers,
    'x-tollgate-served-by': `${served.target.provider}/${served.target.model}`,
    'x-tollgate-attempts': String(served.attempts.length),
    'x-request-id': c.get('requestId'),
  };
  const meta = { provider: served.target.provider, servedModel: served.target.model, attempts: served.attempts };
  if (!stream) {
    try {
      const json = await upstreamJson(served.response, served.target.provider);
      const out = served.translator.response(json);
      settle(base, { ...meta, status: 200, outcome: 'ok', usage: served.translator.usage() });
      return c.json(out as object, 200, headers);
    } catch (e) {
      const err = toGatewayError(e);
      settle(base, { ...meta, status: err.status, outcome: err.kind, usage: served.translator.usage(), errorMessage: err.message });
      throw err;
    } finally {
      served.abort();
    }
  }
  const body = relayStream(served, c.get('schema'), signal, (end) =>
    settle(base, { ...meta, status: 200, outcome: end.outcome, usage: end.usage, ttftMs: end.ttftMs, deliveredTokens: end.deliveredTokens }),
  );
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no', ...headers },
  });
}
