import { Hono } from 'hono';
import { GatewayError } from '../../lib/errors.ts';
import type { Env } from '../context.ts';
import type { CatalogEntry } from '../../config/catalog.ts';
import type { AppDeps } from '../deps.ts';
import { callerModelLists } from '../caller-models.ts';
import { listsAllow } from '../../enforce/model-glob.ts';

const CREATED = 1_700_000_000;

function modelObject(id: string, e: CatalogEntry) {
  return { id, object: 'model', created: CREATED, owned_by: e.model.provider, type: e.model.kind };
}

/** GET /v1/models — the catalog names and aliases the caller's key (and team) may call, in OpenAI's list shape. */
export function modelsRoute(deps: AppDeps) {
  return new Hono<Env>()
    .get('/v1/models', async (c) => {
      const lists = await callerModelLists(c, deps);
      const data = c.get('runtime').catalog.list().flatMap((e) => [e.name, ...e.model.aliases].filter((id) => listsAllow(lists, id, e.name)).map((id) => modelObject(id, e)));
      return c.json({ object: 'list', data });
    })
    .get('/v1/models/:id{.+}', async (c) => {
      const id = c.req.param('id');
      const e = c.get('runtime').catalog.resolve(id);
      // A model the caller may not use is not shown to it either.
      if (!e || !listsAllow(await callerModelLists(c, deps), id, e.name)) throw new GatewayError('not_found', `The model '${id}' does not exist.`, { param: 'model' });
      return c.json(modelObject(id, e));
    });
}
