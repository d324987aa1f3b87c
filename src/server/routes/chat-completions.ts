import { Hono } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { chatRequest } from '../../wire/openai.ts';
import { readBody } from '../read-body.ts';
import { depthLimited } from '../../wire/json-depth.ts';
import { chatTranslator } from '../../providers/registry.ts';
import { handleChat } from '../handle-chat.ts';

/** POST /v1/chat/completions — the OpenAI Chat Completions API, streaming and not. */
export function chatCompletionsRoute(deps: AppDeps) {
  const schema = depthLimited(chatRequest); // built once per app, not per request
  return new Hono<Env>().post('/v1/chat/completions', async (c) => {
    const body = await readBody(c, schema, deps.logger);
    return handleChat(c, deps, {
      request: { endpoint: 'chat.completions', body },
      translatorFor: (adapter) => chatTranslator('openai', adapter.wire, adapter.name),
    });
  });
}
