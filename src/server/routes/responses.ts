import { Hono } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { inputItems, inputTokensRequest, responsesRequest, type ResponsesInputItem } from '../../wire/responses.ts';
import { readBody } from '../read-body.ts';
import { depthLimited } from '../../wire/json-depth.ts';
import { responsesTranslator } from '../../providers/registry.ts';
import { handleChat } from '../handle-chat.ts';
import { ownerOf, responseKeeper } from '../response-keeper.ts';
import { GatewayError } from '../../lib/errors.ts';
import { exchangeFacts } from '../../enforce/facts.ts';
import { callerModelLists } from '../caller-models.ts';
import { assertModelAllowed } from '../../enforce/model-glob.ts';

const MAX_LIST = 100;

/**
 * The OpenAI Responses API on every provider: POST /v1/responses (streaming and not), the
 * stored responses (GET and DELETE /v1/responses/{id}, GET …/input_items) scoped to the key
 * and team that created them, and POST /v1/responses/input_tokens.
 */
export function responsesRoute(deps: AppDeps) {
  const keeper = responseKeeper(deps.store, deps.logger, deps.clock ? () => deps.clock!.wall() : undefined);
  return new Hono<Env>()
    .post('/v1/responses', async (c) => {
      const body = await readBody(c, depthLimited(responsesRequest), deps.logger);
      const owner = ownerOf(c.get('principal'));
      const history = await keeper.history(body, owner);
      const request = history.length ? { ...body, input: [...history, ...inputItems(body.input)] } : body;
      const retention = c.get('runtime').config.responses.retention;
      return handleChat(c, deps, {
        request: { endpoint: 'responses', body: request },
        translatorFor: (adapter) => keeper.keeping(responsesTranslator(adapter), body, history, owner, retention),
      });
    })
    .post('/v1/responses/input_tokens', async (c) => {
      const body = await readBody(c, depthLimited(inputTokensRequest), deps.logger);
      if (body.model !== undefined) {
        const entry = c.get('runtime').catalog.resolve(body.model);
        if (!entry) throw new GatewayError('not_found', `The model '${body.model}' does not exist or is not available on this gateway.`, { param: 'model' });
        assertModelAllowed(await callerModelLists(c, deps), body.model, entry.name);
      }
      const history = await keeper.history({ ...body, model: body.model ?? '' }, ownerOf(c.get('principal')));
      const { inputTokens } = exchangeFacts({ endpoint: 'responses', body: { ...body, model: body.model ?? '', input: [...history, ...inputItems(body.input)] } }, 'chat');
      // The gateway's estimate, as admission makes it; no upstream call is made or billed.
      return c.json({ object: 'response.input_tokens', input_tokens: inputTokens });
    })
    .get('/v1/responses/:id', async (c) => {
      const row = await keeper.find(c.req.param('id'), ownerOf(c.get('principal')));
      return c.json(row.response);
    })
    .delete('/v1/responses/:id', async (c) => {
      const id = c.req.param('id');
      await keeper.remove(id, ownerOf(c.get('principal')));
      return c.json({ id, object: 'response', deleted: true });
    })
    .get('/v1/responses/:id/input_items', async (c) => {
      const row = await keeper.find(c.req.param('id'), ownerOf(c.get('principal')));
      const order = c.req.query('order') ?? 'desc';
      if (order !== 'asc' && order !== 'desc') throw new GatewayError('invalid_request', `order must be 'asc' or 'desc'.`, { param: 'order' });
      const limitText = c.req.query('limit') ?? '20';
      const limit = Number(limitText);
      if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIST) throw new GatewayError('invalid_request', `limit must be an integer from 1 to ${MAX_LIST}.`, { param: 'limit' });
      let items = row.inputItems as (ResponsesInputItem & { id?: string })[];
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
