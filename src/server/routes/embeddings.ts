import { Hono } from 'hono';
import { embeddingsTranslator } from '../../providers/registry.ts';
import { embeddingsRequest } from '../../wire/openai.ts';
import { routeJson } from '../../routing/execute.ts';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { readBody } from '../read-body.ts';
import { depthLimited } from '../../wire/json-depth.ts';
import { admitRequest } from '../admit-request.ts';
import { failed, responseHeaders, routeInput, servedMeta } from '../route-call.ts';

/** POST /v1/embeddings — the OpenAI Embeddings API. */
export function embeddingsRoute(deps: AppDeps) {
  const schema = depthLimited(embeddingsRequest); // built once per app, not per request
  return new Hono<Env>().post('/v1/embeddings', async (c) => {
    const body = await readBody(c, schema, deps.logger);
    const { ex, admission } = await admitRequest(c, deps, { endpoint: 'embeddings', body }, 'embeddings', false);
    try {
      const served = await routeJson(routeInput(c, deps, admission, admission.request.body, (adapter) => embeddingsTranslator(adapter.wire, adapter.name)));
      const meta = servedMeta(c, served);
      ex.close({ ...meta, status: 200, outcome: 'ok', usage: served.translator.usage(), response: { value: served.value } });
      return c.json(served.value as object, 200, responseHeaders(c, admission, served, meta));
    } catch (e) {
      throw failed(ex, e);
    }
  });
}
