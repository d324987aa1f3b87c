import { Hono } from 'hono';
import type { ClientSchema } from '../../lib/render-error.ts';
import { GatewayError } from '../../lib/errors.ts';
import type { Env } from '../context.ts';
import type { CatalogEntry } from '../../config/catalog.ts';
import type { AppDeps } from '../deps.ts';
import { callerModelLists } from '../caller-models.ts';
import { listsAllow } from '../../enforce/model-glob.ts';

const CREATED = 1_700_000_000;
const CREATED_AT = new Date(CREATED * 1000).toISOString().replace('.000Z', 'Z');

function modelObject(id: string, e: CatalogEntry, schema: ClientSchema) {
  if (schema === 'anthropic') return { type: 'model', id, display_name: id, created_at: CREATED_AT };
  return { id, object: 'model', created: CREATED, owned_by: e.model.provider, type: e.model.kind };
}

/**
 * GET /v1/models — the catalog names and aliases the caller's key (and team) may call, in
 * OpenAI's list shape, or in Anthropic's (with `has_more`/`first_id`/`last_id` and its
 * `limit`/`after_id`/`before_id` paging) when the caller sends `anthropic-version`.
 */
export function modelsRoute(deps: AppDeps) {
  return new Hono<Env>()
    .get('/v1/models', async (c) => {
      const lists = await callerModelLists(c, deps);
      const schema = c.get('schema');
      const data = c.get('runtime').catalog.list().flatMap((e) => [e.name, ...e.model.aliases].filter((id) => listsAllow(lists, id, e.name)).map((id) => modelObject(id, e, schema)));
      if (schema === 'openai') return c.json({ object: 'list', data });
      return c.json(anthropicPage(data, c.req.query()));
    })
    .get('/v1/models/:id{.+}', async (c) => {
      const id = c.req.param('id');
      const e = c.get('runtime').catalog.resolve(id);
      // A model the caller may not use is not shown to it either.
      if (!e || !listsAllow(await callerModelLists(c, deps), id, e.name)) throw new GatewayError('not_found', `The model '${id}' does not exist.`, { param: 'model' });
      return c.json(modelObject(id, e, c.get('schema')));
    });
}

/** One page of Anthropic's cursor paging: `limit` (1–1000, default 20) after `after_id` or before `before_id`. */
function anthropicPage<T extends { id: string }>(all: T[], q: Record<string, string>) {
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new GatewayError('invalid_request', 'limit must be an integer between 1 and 1000', { param: 'limit' });
  const cursor = (param: 'after_id' | 'before_id') => {
    const at = all.findIndex((m) => m.id === q[param]);
    if (at < 0) throw new GatewayError('invalid_request', `${param} '${q[param]}' is not a model in this list`, { param });
    return at;
  };
  let data: T[];
  let hasMore: boolean;
  if (q.before_id !== undefined) {
    const end = cursor('before_id');
    data = all.slice(Math.max(0, end - limit), end);
    hasMore = end - limit > 0;
  } else {
    const start = q.after_id === undefined ? 0 : cursor('after_id') + 1;
    data = all.slice(start, start + limit);
    hasMore = start + limit < all.length;
  }
  return { data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
