import { Hono } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { completionsRequest } from '../../wire/completions.ts';
import { readBody } from '../read-body.ts';
import { depthLimited } from '../../wire/json-depth.ts';
import { completionsTranslator } from '../../providers/registry.ts';
import { completionsModeOf } from '../../config/completions-mode.ts';
import { handleChat } from '../handle-chat.ts';

/**
 * POST /v1/completions — OpenAI's legacy text completions: passed to the upstream's own endpoint
 * where it has one, translated to chat elsewhere (config `completions: native|chat`).
 */
export function completionsRoute(deps: AppDeps) {
  const schema = depthLimited(completionsRequest); // built once per app, not per request
  return new Hono<Env>().post('/v1/completions', async (c) => {
    const body = await readBody(c, schema, deps.logger);
    const config = c.get('runtime').config;
    return handleChat(c, deps, {
      request: { endpoint: 'completions', body },
      translatorFor: (adapter) => completionsTranslator(adapter.wire, adapter.name, (model) => completionsModeOf(config, adapter.name, model)),
    });
  });
}
