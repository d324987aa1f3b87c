import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { DONE, emptyUsage, type OpenAIChatTranslator, type StreamEvent, type Usage } from '../types.ts';
import { geminiHttpError } from './errors.ts';
import { toGeminiRequest } from './request.ts';
import { geminiResponse } from './response.ts';
import { geminiStream } from './stream.ts';

/**
 * OpenAI chat client → Gemini `generateContent` / `streamGenerateContent`. The request mapping
 * lives in request.ts and messages.ts, the answer in response.ts and stream.ts; this file holds
 * the per-request state that ties them together.
 */
export function openaiToGemini(provider: string): OpenAIChatTranslator {
  let usage: Usage = emptyUsage();
  let publicModel = '';
  let includeUsage = false;
  let logprobs = false;
  let oneCall = false;
  let stream: ReturnType<typeof geminiStream> | undefined;
  const streamState = () => (stream ??= geminiStream({ provider, publicModel, includeUsage, logprobs, oneCall }));

  return {
    request(body: OpenAIChatRequest, ctx) {
      publicModel = ctx.publicModel;
      const r = toGeminiRequest(body, ctx.model, provider);
      includeUsage = r.includeUsage;
      logprobs = r.logprobs;
      oneCall = r.oneCall;
      return { op: 'chat', stream: r.stream, body: r.body, ...(r.dropped.length ? { dropped: r.dropped } : {}) };
    },
    response(json) {
      const r = geminiResponse(json, { provider, publicModel, logprobs, oneCall });
      usage = r.usage;
      return r.body;
    },
    streamEvent(ev: StreamEvent): StreamEvent[] {
      // Gemini has no `[DONE]`; one arriving here would come from a non-Gemini decoder.
      if (ev.data === DONE) return [];
      const out = streamState().event(ev.data);
      usage = streamState().usage();
      return out;
    },
    streamEnd: () => streamState().end(),
    usage: () => usage,
    error: (status, body) => geminiHttpError(provider, status, body),
  };
}
