import { GatewayError } from '../../lib/errors.ts';
import { completionId } from '../../lib/ids.ts';
import { DONE, emptyUsage, type StreamEvent, type Usage } from '../types.ts';
import { asObj, finishReason, openAILogprobs, partsOf, promptBlocked, type Obj } from './candidate.ts';
import { errorInBody } from './errors.ts';
import { functionCallCollector, type FunctionCall } from './function-calls.ts';
import { toolCall } from './response.ts';
import { openAIUsage, readGeminiUsage } from './usage.ts';

export interface StreamOptions {
  provider: string;
  publicModel: string;
  includeUsage: boolean;
  logprobs: boolean;
  /** `parallel_tool_calls: false`: only the first function call is streamed. */
  oneCall?: boolean;
}

interface CandidateState {
  calls: ReturnType<typeof functionCallCollector>;
  toolCalls: number;
  produced: boolean;
  finish?: string;
  finishMessage?: string;
}

/**
 * Gemini stream events (each a partial `GenerateContentResponse`) → OpenAI chunks. Gemini has no
 * terminal event: a stream is complete once a `finishReason` was seen. The finish chunk is held
 * back until the stream closes, because Vertex repeats `finishReason` on every event and a late
 * event may still carry a filter verdict (RECITATION after STOP) and the final usage.
 */
export function geminiStream(o: StreamOptions) {
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);
  const candidates = new Map<number, CandidateState>();
  let usage: Usage = emptyUsage();
  let blocked = false;

  const chunk = (choices: Obj[], extra: Obj = {}): StreamEvent => ({
    data: { id, object: 'chat.completion.chunk', created, model: o.publicModel, choices, ...extra },
  });
  const delta = (index: number, d: Obj, extra: Obj = {}) => chunk([{ index, delta: d, logprobs: null, finish_reason: null, ...extra }]);
  const callDelta = (index: number, st: CandidateState, call: FunctionCall) => {
    const tc = toolCall(call.name, call.args, call.signature);
    return delta(index, { tool_calls: [{ index: st.toolCalls++, ...tc }] });
  };

  function candidate(c: Obj, position: number): StreamEvent[] {
    const index = typeof c.index === 'number' ? c.index : position;
    const out: StreamEvent[] = [];
    let st = candidates.get(index);
    if (!st) {
      st = { calls: functionCallCollector(o.provider, { oneCall: o.oneCall }), toolCalls: 0, produced: false };
      candidates.set(index, st);
      out.push(delta(index, { role: 'assistant', content: '' }));
    }
    let text = '';
    let reasoning = '';
    const calls: FunctionCall[] = [];
    for (const p of partsOf(c, o.provider)) {
      if (p.functionCall !== undefined) calls.push(...st.calls.take(p));
      else if (typeof p.text === 'string' && p.thought === true) reasoning += p.text;
      else if (typeof p.text === 'string') text += p.text;
    }
    if (typeof c.finishReason === 'string') {
      st.finish = c.finishReason;
      if (typeof c.finishMessage === 'string') st.finishMessage = c.finishMessage;
      calls.push(...st.calls.flush());
    }
    if (reasoning) out.push(delta(index, { reasoning_content: reasoning }));
    const lp = o.logprobs ? openAILogprobs(c.logprobsResult) : null;
    if (text || lp) {
      st.produced ||= text !== '';
      out.push(delta(index, { content: text }, lp ? { logprobs: lp } : {}));
    }
    for (const call of calls) out.push(callDelta(index, st, call));
    return out;
  }

  return {
    event(data: unknown): StreamEvent[] {
      const r = asObj(data, o.provider, 'stream event');
      if (r.error !== undefined) throw errorInBody(o.provider, r);
      if (r.candidates === undefined && r.promptFeedback === undefined && r.usageMetadata === undefined) {
        throw new GatewayError('upstream_invalid', `${o.provider} sent a stream event that is not a GenerateContentResponse`);
      }
      if (r.usageMetadata !== undefined) usage = readGeminiUsage(r.usageMetadata);
      const list = r.candidates ?? [];
      if (!Array.isArray(list)) throw new GatewayError('upstream_invalid', `${o.provider} sent candidates that are not a list`);
      if (list.length === 0 && promptBlocked(r)) blocked = true;
      return list.flatMap((c, i) => candidate(asObj(c, o.provider, 'candidate'), i));
    },
    end(): StreamEvent[] {
      const states = [...candidates.entries()].sort(([a], [b]) => a - b);
      const finished = states.length > 0 && states.every(([, st]) => st.finish !== undefined);
      if (!finished && !(blocked && states.length === 0)) {
        throw new GatewayError('upstream_invalid', `${o.provider} closed the stream before it finished`);
      }
      const out: StreamEvent[] = [];
      if (states.length === 0) {
        // A blocked prompt: an empty answer stopped by the filter.
        out.push(delta(0, { role: 'assistant', content: '' }), delta(0, {}, { finish_reason: 'content_filter' }));
      }
      for (const [index, st] of states) {
        const reason = finishReason(o.provider, st.finish!, st.finishMessage, st.toolCalls > 0, st.produced || st.toolCalls > 0);
        out.push(delta(index, {}, { finish_reason: reason }));
      }
      if (o.includeUsage) out.push(chunk([], { usage: openAIUsage(usage) }));
      out.push({ data: DONE });
      return out;
    },
    usage: () => usage,
  };
}
