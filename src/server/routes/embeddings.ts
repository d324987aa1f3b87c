import { Hono } from 'hono';
import { toGatewayError } from '../../lib/errors.ts';
import { embeddingsTranslator } from '../../providers/registry.ts';
import type { OpenAIEmbeddingsRequest } from '../schemas/openai.ts';
import { embeddingsRequest } from '../schemas/openai.ts';
import { execute, upstreamJson } from '../../routing/execute.ts';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { readBody } from '../read-body.ts';
import { admitRequest } from '../admit-request.ts';
import { settle } from '../settle.ts';

/** POST /v1/embeddings — the OpenAI Embeddings API. */
export function embeddingsRoute(deps: AppDeps) {
  return new Hono<Env>().post('/v1/embeddings', async (c) => {
    const body = await readBody(c, embeddingsRequest);
    const runtime = c.get('runtime');
    const admission = await admitRequest(c, deps, { endpoint: 'embeddings', body }, 'embeddings', false);
    const base = { c, deps, endpoint: 'embeddings', requestedModel: body.model, stream: false, admission };
    let served;
    try {
      served = await execute<ReturnType<typeof embeddingsTranslator>, OpenAIEmbeddingsRequest>({
        runtime, targets: admission.targets, publicModel: admission.publicModel, body: admission.request.body, clientHeaders: c.req.raw.headers, signal: c.req.raw.signal,
        translatorFor: (adapter) => embeddingsTranslator(adapter.wire, adapter.name),
      });
    } catch (e) {
      const err = toGatewayError(e);
      settle(base, { status: err.status, outcome: err.kind, attempts: [], errorMessage: err.message });
      throw err;
    }
    const meta = { provider: served.target.provider, servedModel: served.target.model, attempts: served.attempts };
    try {
      const out = served.translator.response(await upstreamJson(served.response, served.target.provider), served.response.headers);
      settle(base, { ...meta, status: 200, outcome: 'ok', usage: served.translator.usage() });
      return c.json(out as object, 200, { ...admission.headers, 'x-tollgate-served-by': `${served.target.provider}/${served.target.model}`, 'x-request-id': c.get('requestId') });
    } catch (e) {
      const err = toGatewayError(e);
      settle(base, { ...meta, status: err.status, outcome: err.kind, errorMessage: err.message });
      throw err;
    } finally {
      served.abort();
    }
  });
}
