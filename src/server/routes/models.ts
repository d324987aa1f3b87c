import { Hono } from 'hono';
import { GatewayError } from '../../lib/errors.ts';
import type { Env } from '../context.ts';
import type { CatalogEntry } from '../../config/catalog.ts';

const CREATED = 1_700_000_000;

function modelObject(id: string, e: CatalogEntry) {
  return { id, object: 'model', created: CREATED, owned_by: e.model.provider, type: e.model.kind };
}

/** GET /v1/models — the public catalog (names and aliases), in OpenAI's list shape. */
export function modelsRoute() {
  return new Hono<Env>()
    .get('/v1/models', (c) => {
      const data = c.get('runtime').catalog.list().flatMap((e) => [e.name, ...e.model.aliases].map((id) => modelObject(id, e)));
      return c.json({ object: 'list', data });
    })
    .get('/v1/models/:id{.+}', (c) => {
      const id = c.req.param('id');
      const e = c.get('runtime').catalog.resolve(id);
      if (!e) throw new GatewayError('not_found', `The model '${id}' does not exist.`, { param: 'model' });
      return c.json(modelObject(id, e));
    });
}
