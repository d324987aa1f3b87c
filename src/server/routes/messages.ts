import { Hono } from 'hono';
import type { Env } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { messagesRequest } from '../../wire/anthropic.ts';
import { readBody } from '../read-body.ts';
import { depthLimited } from '../../wire/json-depth.ts';
import { chatTranslator } from '../../providers/registry.ts';
import { handleChat } from '../handle-chat.ts';

/** POST /v1/messages — the Anthropic Messages API (Claude Code, Anthropic SDKs). */
export function messagesRoute(deps: AppDeps) {
  const schema = depthLimited(messagesRequest); // built once per app, not per request
  return new Hono<Env>().post('/v1/messages', async (c) => {
    const body = await readBody(c, schema, deps.logger);
    return handleChat(c, deps, {
      request: { endpoint: 'messages', body },
      translatorFor: (adapter) => chatTranslator('anthropic', adapter.wire, adapter.name),
    });
  });
}
