import { GatewayError } from '../../lib/errors.ts';
import { DONE, emptyUsage, type StreamEvent, type Usage } from '../types.ts';
import { providerError } from '../upstream-error.ts';
import { asObject } from './openai-openai.ts';
import { isGatewayReasoning, readResponsesUsage } from './responses-object.ts';
import type { ResponsesTranslator } from './responses-openai.ts';

type Json = Record<string, unknown>;

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

/**
 * Responses client → the native Responses endpoint (OpenAI, Azure). A pass-through: the body is
 * sent as given with the model rewritten to the upstream id (and back to the public name in
 * what returns); `previous_response_id` is resolved by the gateway, so it is not sent (and is
 * put back on what returns). Events are
 * relayed one by one as they come; usage is read from the terminal response event.
 */
export function responsesToResponses(provider: string): ResponsesTranslator {
  let usage: Usage = emptyUsage();
  let publicModel = '';
  let previous: string | null = null;
  let ended = false;

  // The public model name, and the previous_response_id the gateway resolved (the upstream never saw it).
  const named = (r: Json): Json => ({ ...r, ...(typeof r.model === 'string' ? { model: publicModel } : {}), ...(previous ? { previous_response_id: previous } : {}) });

  return {
    request(body, ctx) {
      publicModel = ctx.publicModel;
      previous = body.previous_response_id ?? null;
      const { previous_response_id: _resolved, ...rest } = body;
      // A conversation continued from another provider may hold reasoning items of the gateway's own making.
      const input = Array.isArray(rest.input) ? rest.input.filter((i) => !isGatewayReasoning(i)) : rest.input;
      const dropped = Array.isArray(rest.input) && input?.length !== rest.input.length ? ['input.reasoning'] : [];
      return { op: 'responses', stream: body.stream === true, body: { ...rest, input, model: ctx.model }, ...(dropped.length ? { dropped } : {}) };
    },
    response(json) {
      const r = asObject(json, provider);
      if (r.object !== 'response' || !Array.isArray(r.output)) throw new GatewayError('upstream_invalid', `${provider} returned a response without output`);
      usage = readResponsesUsage(r.usage);
      return named(r);
    },
    streamEvent(ev: StreamEvent): StreamEvent[] {
      if (ev.data === DONE) return [];
      const data = asObject(ev.data, provider);
      const type = typeof data.type === 'string' ? data.type : ev.event;
      if (type && TERMINAL.has(type)) ended = true;
      if (data.response && typeof data.response === 'object') {
        const response = data.response as Json;
        if (response.usage) usage = readResponsesUsage(response.usage);
        return [{ event: ev.event ?? type, data: { ...data, response: named(response) } }];
      }
      return [{ event: ev.event ?? type, data }];
    },
    streamEnd() {
      if (!ended) throw new GatewayError('upstream_invalid', `${provider} closed the stream before response.completed`);
      return [];
    },
    usage: () => usage,
    error: providerError(provider),
  };
}
