import { Hono } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { responsesRequest } from '../../wire/responses.ts';
import { readBody } from '../read-body.ts';
import { depthLimited } from '../../wire/json-depth.ts';
import { responsesTranslator } from '../../providers/registry.ts';
import { handleChat } from '../handle-chat.ts';

/** POST /v1/responses — the OpenAI Responses API, streaming and not, on every provider. */
export function responsesRoute(deps: AppDeps) {
  return new Hono<Env>().post('/v1/responses', async (c) => {
    const body = await readBody(c, depthLimited(responsesRequest), deps.logger);
    return handleChat(c, deps, {
      request: { endpoint: 'responses', body },
      translatorFor: (adapter) => responsesTranslator(adapter),
    });
  });
}
