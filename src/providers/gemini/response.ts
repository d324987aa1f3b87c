import { GatewayError } from '../../lib/errors.ts';
import { completionId } from '../../lib/ids.ts';
import type { Usage } from '../types.ts';
import { asObj, finishReason, openAILogprobs, partsOf, promptBlocked, type Obj } from './candidate.ts';
import { errorInBody } from './errors.ts';
import { functionCallCollector } from './function-calls.ts';
import { issueToolCallId } from './tool-ids.ts';
import { openAIUsage, readGeminiUsage } from './usage.ts';

export interface ResponseOptions {
  provider: string;
  publicModel: string;
  logprobs: boolean;
  /** `parallel_tool_calls: false`: only the first function call is returned. */
  oneCall?: boolean;
}

/**
 * A Gemini `GenerateContentResponse` → an OpenAI `chat.completion`. Each candidate is a choice:
 * text parts joined are the content, `thought` parts the `reasoning_content`, function calls the
 * `tool_calls`; parts OpenAI cannot carry (generated images, code-execution results) are left
 * out. A prompt blocked before generation is an empty `content_filter` answer, as OpenAI-style
 * APIs report filtered output, rather than an error the caller cannot tell from an outage.
 */
export function geminiResponse(json: unknown, o: ResponseOptions): { body: Obj; usage: Usage } {
  const r = asObj(json, o.provider, 'response');
  if (r.error !== undefined) throw errorInBody(o.provider, r);
  const usage = readGeminiUsage(r.usageMetadata);
  const candidates = r.candidates === undefined ? [] : r.candidates;
  if (!Array.isArray(candidates)) throw new GatewayError('upstream_invalid', `${o.provider} returned candidates that are not a list`);
  let choices: Obj[];
  if (candidates.length > 0) choices = candidates.map((c, i) => choice(asObj(c, o.provider, 'candidate'), i, o));
  else if (promptBlocked(r)) choices = [{ index: 0, message: { role: 'assistant', content: null, refusal: null }, logprobs: null, finish_reason: 'content_filter' }];
  else throw new GatewayError('upstream_invalid', `${o.provider} returned a response with neither candidates nor prompt feedback`);
  return {
    body: {
      id: completionId(),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: o.publicModel,
      choices,
      usage: openAIUsage(usage),
    },
    usage,
  };
}

function choice(c: Obj, i: number, o: ResponseOptions): Obj {
  const parts = partsOf(c, o.provider);
  const calls = functionCallCollector(o.provider, { oneCall: o.oneCall });
  const toolCalls: Obj[] = [];
  let text: string | null = null;
  let reasoning = '';
  for (const p of parts) {
    if (p.functionCall !== undefined) {
      for (const call of calls.take(p)) toolCalls.push(toolCall(call.name, call.args, call.signature));
    } else if (typeof p.text === 'string') {
      if (p.thought === true) reasoning += p.text;
      else text = (text ?? '') + p.text;
    }
  }
  for (const call of calls.flush()) toolCalls.push(toolCall(call.name, call.args, call.signature));
  const produced = text !== null || toolCalls.length > 0;
  if (typeof c.finishReason !== 'string' && !produced) {
    throw new GatewayError('upstream_invalid', `${o.provider} returned a candidate with neither content nor a finish reason`);
  }
  const finishMessage = typeof c.finishMessage === 'string' ? c.finishMessage : undefined;
  const message: Obj = { role: 'assistant', content: text, refusal: null };
  if (reasoning) message.reasoning_content = reasoning;
  if (toolCalls.length) message.tool_calls = toolCalls;
  return {
    index: typeof c.index === 'number' ? c.index : i,
    message,
    logprobs: o.logprobs ? openAILogprobs(c.logprobsResult) : null,
    // The body is complete, so a candidate with content but no reason simply stopped.
    finish_reason: finishReason(o.provider, typeof c.finishReason === 'string' ? c.finishReason : 'STOP', finishMessage, toolCalls.length > 0, produced),
  };
}

export function toolCall(name: string, args: Obj, signature?: string): Obj {
  return { id: issueToolCallId(signature), type: 'function', function: { name, arguments: JSON.stringify(args) } };
}
