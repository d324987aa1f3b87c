import { Hono, type Context } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { inputItems, inputTokensRequest, responsesRequest, type ResponsesInputItem, type ResponsesRequest } from '../../wire/responses.ts';
import { readBody } from '../read-body.ts';
import { depthLimited } from '../../wire/json-depth.ts';
import { responsesTranslator } from '../../providers/registry.ts';
import { handleChat } from '../handle-chat.ts';
import { ownerOf, responseKeeper, type ResponseKeeper } from '../response-keeper.ts';
import { GatewayError } from '../../lib/errors.ts';
import { exchangeFacts } from '../../enforce/facts.ts';
import { callerModelLists } from '../caller-models.ts';
import { assertModelAllowed } from '../../enforce/model-glob.ts';
import { replayEvents } from '../../providers/openai/responses-replay.ts';
import { sseFrame } from '../../lib/sse.ts';

const MAX_LIST = 100;

/**
 * The OpenAI Responses API on every provider: POST /v1/responses (streaming and not), the
 * stored responses (GET and DELETE /v1/responses/{id}, GET …/input_items) scoped to the key
 * and team that created them, and POST /v1/responses/input_tokens.
 */
export function responsesRoute(deps: AppDeps, keeper: ResponseKeeper = responseKeeper(deps.store, deps.logger, deps.clock ? () => deps.clock!.wall() : undefined)) {
  // Built once per app, not per request.
  const schema = depthLimited(responsesRequest);
  const inputTokensSchema = depthLimited(inputTokensRequest);
  return new Hono<Env>()
    .post('/v1/responses', async (c) => {
      const body = await readBody(c, schema, deps.logger);
      const owner = ownerOf(c.get('principal'));
      const cfg = c.get('runtime').config.responses;
      if (body.store !== false) assertStorable(body, cfg.max_row_bytes);
      // An unknown or forbidden model is refused before the stored conversation is read.
      if (body.previous_response_id) await assertModel(c, deps, body.model);
      const history = await keeper.history(body, owner, cfg);
      const request = history.items.length ? { ...body, input: [...history.items, ...inputItems(body.input)] } : body;
      return handleChat(c, deps, {
        request: { endpoint: 'responses', body: request },
        translatorFor: (adapter) => keeper.keeping(responsesTranslator(adapter), body, history, owner, cfg),
        onCacheHit: (value) => keeper.keptCopy(value, body, history, owner, cfg),
      });
    })
    .post('/v1/responses/input_tokens', async (c) => {
      const body = await readBody(c, inputTokensSchema, deps.logger);
      if (body.model !== undefined) await assertModel(c, deps, body.model);
      const history = await keeper.history({ ...body, model: body.model ?? '' }, ownerOf(c.get('principal')), c.get('runtime').config.responses);
      const { inputTokens } = exchangeFacts({ endpoint: 'responses', body: { ...body, model: body.model ?? '', input: [...history.items, ...inputItems(body.input)] } }, 'chat');
      // The gateway's estimate, as admission makes it; no upstream call is made or billed.
      return c.json({ object: 'response.input_tokens', input_tokens: inputTokens });
    })
    .get('/v1/responses/:id', async (c) => {
      const stream = c.req.query('stream') ?? 'false';
      if (stream !== 'true' && stream !== 'false') throw new GatewayError('invalid_request', `stream must be 'true' or 'false'.`, { param: 'stream' });
      const after = c.req.query('starting_after');
      if (after !== undefined && !/^\d{1,9}$/.test(after)) throw new GatewayError('invalid_request', 'starting_after must be a non-negative integer (a sequence_number).', { param: 'starting_after' });
      const response = await keeper.response(c.req.param('id'), ownerOf(c.get('principal')));
      if (stream === 'false') return c.json(response);
      // The stored response as its stream, from the event after starting_after.
      const events = replayEvents(response).filter((e) => after === undefined || (e.data as { sequence_number: number }).sequence_number > Number(after));
      const body = new ReadableStream<Uint8Array>({
        start(out) {
          for (const e of events) out.enqueue(sseFrame(e));
          out.close();
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } });
    })
    .delete('/v1/responses/:id', async (c) => {
      const id = c.req.param('id');
      await keeper.remove(id, ownerOf(c.get('principal')));
      return c.json({ id, object: 'response', deleted: true });
    })
    .get('/v1/responses/:id/input_items', async (c) => {
      const stored = await keeper.inputItems(c.req.param('id'), ownerOf(c.get('principal')));
      const order = c.req.query('order') ?? 'desc';
      if (order !== 'asc' && order !== 'desc') throw new GatewayError('invalid_request', `order must be 'asc' or 'desc'.`, { param: 'order' });
      const limitText = c.req.query('limit') ?? '20';
      const limit = Number(limitText);
      if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIST) throw new GatewayError('invalid_request', `limit must be an integer from 1 to ${MAX_LIST}.`, { param: 'limit' });
      let items = stored as (ResponsesInputItem & { id?: string })[];
      if (order === 'desc') items = [...items].reverse();
      const after = c.req.query('after');
      if (after) {
        const at = items.findIndex((i) => i.id === after);
        if (at < 0) throw new GatewayError('invalid_request', `No input item with id '${after}' in this response.`, { param: 'after' });
        items = items.slice(at + 1);
      }
      const data = items.slice(0, limit);
      return c.json({ object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: items.length > limit });
    });
}

async function assertModel(c: Context<Env>, deps: AppDeps, model: string): Promise<void> {
  const entry = c.get('runtime').catalog.resolve(model);
  if (!entry) throw new GatewayError('not_found', `The model '${model}' does not exist or is not available on this gateway.`, { param: 'model' });
  assertModelAllowed(await callerModelLists(c, deps), model, entry.name);
}

/** A request whose own input is over responses.max_row_bytes could never be kept: refused before the call, not dropped after it. */
function assertStorable(body: ResponsesRequest, maxRowBytes: number): void {
  const bytes = Buffer.byteLength(JSON.stringify(body.input ?? ''), 'utf8');
  if (bytes > maxRowBytes) {
    throw new GatewayError('invalid_request', `The input is ${bytes} bytes; a stored response holds at most ${maxRowBytes} (responses.max_row_bytes). Send it with store: false, or send less.`, { param: 'input' });
  }
}
