import { Hono } from 'hono';
import { exchangeFacts } from '../../enforce/facts.ts';
import { GatewayError } from '../../lib/errors.ts';
import type { Env } from '../context.ts';
import { messagesRequest } from '../../wire/anthropic.ts';
import { readBody } from '../read-body.ts';
import { depthLimited } from '../../wire/json-depth.ts';
import type { AppDeps } from '../deps.ts';
import { callerModelLists } from '../caller-models.ts';
import { assertModelAllowed } from '../../enforce/model-glob.ts';

/**
 * POST /v1/messages/count_tokens — Anthropic's token counter, which Claude Code calls. Answered
 * locally with the gateway's estimate (about 4 characters a token plus message framing), for
 * every provider; no upstream call is made or billed.
 */
export function countTokensRoute(deps: AppDeps) {
  // Built once per app, not per request.
  const schema = depthLimited(messagesRequest.omit({ max_tokens: true }).extend({ max_tokens: messagesRequest.shape.max_tokens.optional() }));
  return new Hono<Env>().post('/v1/messages/count_tokens', async (c) => {
    const body = await readBody(c, schema, deps.logger);
    const entry = c.get('runtime').catalog.resolve(body.model);
    if (!entry) throw new GatewayError('not_found', `The model '${body.model}' does not exist or is not available on this gateway.`, { param: 'model' });
    assertModelAllowed(await callerModelLists(c, deps), body.model, entry.name);
    return c.json({ input_tokens: exchangeFacts({ endpoint: 'messages', body: { ...body, max_tokens: body.max_tokens ?? 1 } }, 'chat').inputTokens });
  });
}
