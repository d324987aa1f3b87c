import { GatewayError } from '../../lib/errors.ts';
import { completionId } from '../../lib/ids.ts';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { emptyUsage, type OpenAIChatTranslator, type Usage } from '../types.ts';
import { extractMessage, upstreamError } from '../upstream-error.ts';
import { asObject } from '../openai/openai-openai.ts';
import { converseRequest } from './converse-request.ts';
import { converseStream } from './converse-stream.ts';
import { finishReason, openaiUsage, readConverseUsage } from './converse-usage.ts';

/**
 * OpenAI chat client → Bedrock Converse wire. Reasoning comes back as `reasoning_content`
 * (the field our request schema accepts for echoed reasoning), never inside `content`.
 */
export function openaiToBedrock(provider: string): OpenAIChatTranslator {
  let usage: Usage = emptyUsage();
  let publicModel = '';
  let stream: ReturnType<typeof converseStream> | undefined;
  let oneCall = false;
  let jsonTool: string | undefined;
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);

  const streamState = () => {
    if (!stream) throw new GatewayError('internal', 'stream event before request()');
    return stream;
  };

  return {
    request(body: OpenAIChatRequest, ctx) {
      publicModel = ctx.publicModel;
      const isStream = body.stream === true;
      const plan = converseRequest(body, provider, ctx.model);
      ({ oneCall, jsonTool } = plan);
      stream = converseStream({
        provider,
        base: { id, object: 'chat.completion.chunk', created, model: publicModel },
        includeUsage: body.stream_options?.include_usage === true,
        onUsage: (u) => (usage = u),
        oneCall,
        jsonTool,
      });
      return { op: 'chat', stream: isStream, body: plan.body, ...(plan.dropped.length ? { dropped: plan.dropped } : {}) };
    },
    response(json) {
      const r = asObject(json, provider);
      const message = asObject(asObject(r.output, provider).message, provider);
      if (!Array.isArray(message.content)) throw new GatewayError('upstream_invalid', `${provider} returned a message without content`);
      let text = '';
      let reasoning = '';
      const toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
      for (const block of message.content as unknown[]) {
        const b = asObject(block, provider);
        if (typeof b.text === 'string') text += b.text;
        else if (b.toolUse) {
          const t = asObject(b.toolUse, provider);
          // Server-side tools (e.g. Nova's code interpreter) ran upstream; they are not the client's to call.
          if (t.type === 'server_tool_use') continue;
          if (typeof t.toolUseId !== 'string' || typeof t.name !== 'string') throw new GatewayError('upstream_invalid', `${provider} returned a malformed toolUse block`);
          // The json_object answer, given as the input of the synthetic tool.
          if (t.name === jsonTool) {
            text += JSON.stringify(t.input ?? {});
            continue;
          }
          if (oneCall && toolCalls.length) continue;
          toolCalls.push({ id: t.toolUseId, type: 'function', function: { name: t.name, arguments: JSON.stringify(t.input ?? {}) } });
        } else if (b.reasoningContent) {
          const rt = (b.reasoningContent as { reasoningText?: { text?: unknown } }).reasoningText?.text;
          if (typeof rt === 'string') reasoning += rt;
        }
      }
      usage = readConverseUsage(r.usage);
      const out: Record<string, unknown> = { role: 'assistant', content: text || (toolCalls.length ? null : ''), refusal: null };
      if (toolCalls.length) out.tool_calls = toolCalls;
      if (reasoning) out.reasoning_content = reasoning;
      return {
        id,
        object: 'chat.completion',
        created,
        model: publicModel,
        choices: [{ index: 0, message: out, finish_reason: finishReason(r.stopReason, toolCalls.length > 0, provider), logprobs: null }],
        usage: openaiUsage(usage),
      };
    },
    streamEvent: (ev) => streamState().event(ev),
    streamEnd: () => streamState().end(),
    usage: () => usage,
    error(status, body) {
      const { message, code } = extractMessage(body);
      return upstreamError(provider, status, message, code);
    },
  };
}
