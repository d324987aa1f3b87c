import type { Context } from 'hono';
import { toGatewayError } from '../lib/errors.ts';
import type { ChatTranslator } from '../providers/types.ts';
import { execute, upstreamJson, type TranslatorFor } from '../routing/execute.ts';
import type { Env } from './context.ts';
import type { AppDeps } from './deps.ts';
import { relayStream } from './relay-stream.ts';
import { resolveTargets } from './resolve-targets.ts';
import { settle } from './settle.ts';

export interface ChatCall<Req> {
  endpoint: string;
  body: Req;
  model: string;
  stream: boolean;
  translatorFor: TranslatorFor<ChatTranslator<Req>>;
}

/** Shared by both chat endpoints: resolve targets, execute, relay JSON or SSE, settle usage. */
export async function handleChat<Req>(c: Context<Env>, deps: AppDeps, call: ChatCall<Req>): Promise<Response> {
  const runtime = c.get('runtime');
  const { publicModel, targets } = resolveTargets(runtime, call.model, 'chat');
  const signal = c.req.raw.signal;
  const base = { c, deps, endpoint: call.endpoint, requestedModel: call.model, stream: call.stream };
  let served;
  try {
    served = await execute({ runtime, targets, publicModel, body: call.body, clientHeaders: c.req.raw.headers, signal, translatorFor: call.translatorFor });
  } catch (e) {
    const err = toGatewayError(e);
    settle(base, { status: err.status, outcome: err.kind, attempts: [] });
    throw err;
  }
  const headers = {
    'x-tollgate-served-by': `${served.target.provider}/${served.target.model}`,
    'x-tollgate-attempts': String(served.attempts.length),
    'x-request-id': c.get('requestId'),
  };
  const meta = { provider: served.target.provider, servedModel: served.target.model, attempts: served.attempts };
  if (!call.stream) {
    try {
      const json = await upstreamJson(served.response, served.target.provider);
      const out = served.translator.response(json);
      settle(base, { ...meta, status: 200, outcome: 'ok', usage: served.translator.usage() });
      return c.json(out as object, 200, headers);
    } catch (e) {
      const err = toGatewayError(e);
      settle(base, { ...meta, status: err.status, outcome: err.kind, usage: served.translator.usage() });
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
