import type { Context } from 'hono';
import type { Admission } from '../enforce/admit.ts';
import type { Exchange } from '../exchange/exchange.ts';
import { sseFrame } from '../lib/sse.ts';
import type { RequestBody } from '../policy/input.ts';
import { messagesReplayEvents } from '../providers/anthropic/messages-replay.ts';
import { chatReplayEvents } from '../providers/openai/chat-replay.ts';
import { replayEvents } from '../providers/openai/responses-replay.ts';
import { emptyUsage, type StreamEvent } from '../providers/types.ts';
import { cacheHeaders, type CacheHit, type CacheTurn } from './cache-turn.ts';
import type { Env } from './context.ts';

type Json = Record<string, unknown>;

/**
 * Answers from a stored entry: the JSON as stored, or, for a stream, the stream the client's
 * schema has for it (chat chunks, Messages events, Responses events). Nothing goes upstream: the
 * usage row has no tokens, cost 0, `cache_hit` and the entry's original cost as `saved_micros`;
 * the budget hold is given back whole; the request still counts against the rate limits.
 */
export function serveHit(c: Context<Env>, ex: Exchange, admission: Admission<RequestBody>, turn: CacheTurn, hit: CacheHit, stream: boolean, rewrite?: (value: Json) => Json): Response {
  const stored = JSON.parse(hit.entry.answer) as Json;
  const value = rewrite ? rewrite(stored) : freshIdentity(turn, stored, admission.request.body as Json);
  const overheadMs = Math.max(0, performance.now() - c.get('startedAt'));
  ex.close({ status: 200, outcome: 'ok', attempts: [], provider: hit.entry.provider, servedModel: hit.entry.model, usage: emptyUsage(), cache: 'hit', savedMicros: hit.entry.costMicros, response: { value }, overheadMs });
  const headers = {
    ...admission.headers,
    ...cacheHeaders(turn, hit),
    'x-tollgate-overhead-ms': overheadMs.toFixed(2),
    'x-tollgate-served-by': `${hit.entry.provider}/${hit.entry.model}`,
    'x-tollgate-attempts': '0',
    'x-request-id': c.get('requestId'),
  };
  if (!stream) return c.json(value, 200, headers);
  const events = replayFor(turn, value, admission.request.body as Json);
  const body = new ReadableStream<Uint8Array>({
    start(out) {
      for (const e of events) out.enqueue(sseFrame(e));
      out.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no', ...headers } });
}

/**
 * A chat or Messages hit is a new answer to this caller: its own id and time, and the model name
 * it asked for (never the id another caller was given, which clients may dedupe by).
 */
function freshIdentity(turn: CacheTurn, value: Json, body: Json): Json {
  const model = typeof body.model === 'string' ? body.model : value.model;
  const uuid = crypto.randomUUID().replace(/-/g, '');
  if (turn.endpoint === 'messages') return { ...value, id: `msg_${uuid.slice(0, 24)}`, model };
  if (turn.endpoint === 'chat.completions') return { ...value, id: `chatcmpl-${uuid.slice(0, 24)}`, created: Math.floor(Date.now() / 1000), model };
  return value;
}

function replayFor(turn: CacheTurn, value: Json, body: Json): StreamEvent[] {
  if (turn.endpoint === 'messages') return messagesReplayEvents(value);
  if (turn.endpoint === 'responses') return replayEvents(value);
  const opts = body.stream_options as { include_usage?: unknown } | undefined;
  return chatReplayEvents(value, opts?.include_usage === true);
}
