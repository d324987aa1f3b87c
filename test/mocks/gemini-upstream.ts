import { record, type RecordedRequest } from './recorder.ts';
import { pickTool, toolAnswer, toolArguments } from './tool-turn.ts';
import { promptCache } from './prompt-cache-sim.ts';

/**
 * A mock of the Gemini API (generativelanguage.googleapis.com/v1beta) for tests, speaking the
 * real wire: `models/{model}:generateContent`, `:streamGenerateContent` (`alt=sse`: `data:` lines
 * separated by CRLF CRLF, no terminal sentinel; without `alt=sse`: one JSON array) and
 * `:batchEmbedContents`, Google's `{error: {code, message, status}}` envelope, and its auth: the
 * key in `x-goog-api-key` (or `?key=`), a 403 PERMISSION_DENIED when there is none and a 400
 * INVALID_ARGUMENT / API_KEY_INVALID when it is wrong (Google does not answer 401 for API keys).
 * Like the real API it rejects unknown request fields with "Unknown name … Cannot find field".
 *
 * The model in the path picks the behaviour:
 *   …error-NNN…  HTTP NNN in Google's error envelope
 *   …cut…        the stream stops after two text deltas without a finishReason (non-streaming: a truncated body)
 *   …tool…       calls the forced (mode ANY) or first declared function, arguments per tool-turn.ts
 *   …json…       answers {"ok":true} (as the call of a forced function when one is forced)
 *   (any model)  after a functionResponse, answers in text quoting it (tool-turn.ts)
 *   otherwise    "Hello from gemini", streamed as three text deltas
 *   …cache…      implicit prompt caching of the systemInstruction: its tokens (one per 4
 *                characters) count in promptTokenCount, and from its second sight are reported
 *                as cachedContentTokenCount (with cacheTokensDetails), as the recorded
 *                implicit-caching response shows; Gemini bills no cache writes
 * `candidateCount` is honoured for text answers. Usage is prompt 11, candidates 7 (total 18),
 * reported once, on the last event of a stream.
 */
export interface GeminiUpstreamOptions {
  /** The key the mock accepts. */
  apiKey?: string;
}
export interface GeminiUpstream {
  /** The server root; the provider's `base_url` is `${url}/v1beta`. */
  url: string;
  requests: RecordedRequest[];
  stop(): void;
}

type Json = Record<string, unknown>;
const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ABORTED', 429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED', 500: 'INTERNAL', 501: 'NOT_IMPLEMENTED', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};
const REQUEST_FIELDS = ['contents', 'tools', 'toolConfig', 'safetySettings', 'systemInstruction', 'generationConfig', 'cachedContent'];
const GENERATION_FIELDS = [
  'stopSequences', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'responseModalities', 'candidateCount', 'maxOutputTokens',
  'temperature', 'topP', 'topK', 'seed', 'presencePenalty', 'frequencyPenalty', 'responseLogprobs', 'logprobs', 'enableEnhancedCivicAnswers',
  'speechConfig', 'thinkingConfig', 'imageConfig', 'mediaResolution',
];
export const GEMINI_MOCK_USAGE = {
  promptTokenCount: 11,
  candidatesTokenCount: 7,
  totalTokenCount: 18,
  promptTokensDetails: [{ modality: 'TEXT', tokenCount: 11 }],
  candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 7 }],
};

export function startGeminiUpstream(opts: GeminiUpstreamOptions = {}): GeminiUpstream {
  const apiKey = opts.apiKey ?? 'test-gemini-key';
  const requests: RecordedRequest[] = [];
  const cache = promptCache();
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      const { headers, body } = await record(req, requests);
      const url = new URL(req.url);
      const route = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(url.pathname);
      if (req.method !== 'POST' || !route) return notFoundPage();
      const key = headers['x-goog-api-key'] ?? url.searchParams.get('key');
      if (!key) return error(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
      if (key !== apiKey) return badKey();
      const [, model, method] = route as unknown as [string, string, string];
      if (!body || typeof body !== 'object') return error(400, 'Invalid JSON payload received. Unexpected token.');
      const b = body as Json;
      const err = /error-(\d{3})/.exec(model);
      if (err) return error(Number(err[1]), `Mock failure ${err[1]} for models/${model}`);
      if (method === 'batchEmbedContents') return embed(model, b);
      const invalid = validate(b);
      if (invalid) return error(400, invalid);
      const events = model.includes('cache') ? implicitCache(answer(model, b), model, b, cache) : answer(model, b);
      if (method === 'generateContent') {
        if (model.includes('cut')) return new Response(JSON.stringify(events.at(-1)).slice(0, 40), { headers: { 'content-type': 'application/json; charset=UTF-8' } });
        return Response.json(merge(events), { headers: { 'content-type': 'application/json; charset=UTF-8' } });
      }
      if (url.searchParams.get('alt') !== 'sse') {
        return new Response(`[${events.map((e) => JSON.stringify(e)).join('\r\n,')}]`, { headers: { 'content-type': 'application/json; charset=UTF-8' } });
      }
      const enc = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (const e of events) c.enqueue(enc.encode(`data: ${JSON.stringify(e)}\r\n\r\n`));
          c.close();
        },
      });
      return new Response(stream, { headers: { 'content-type': 'text/event-stream', 'content-disposition': 'attachment' } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}

/** Implicit caching: the system instruction is the cached prefix; the answer's usage counts it. */
function implicitCache(events: Json[], model: string, b: Json, cache: ReturnType<typeof promptCache>): Json[] {
  const parts = ((b.systemInstruction as Json | undefined)?.parts ?? []) as Json[];
  const text = parts.map((p) => String(p.text ?? '')).join('');
  if (!text) return events;
  const { read, write5m } = cache.use(model, [{ text, ttl: '5m' }]);
  const tokens = read + write5m;
  const prompt = GEMINI_MOCK_USAGE.promptTokenCount + tokens;
  const usage = {
    ...GEMINI_MOCK_USAGE,
    promptTokenCount: prompt,
    totalTokenCount: prompt + GEMINI_MOCK_USAGE.candidatesTokenCount,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
    ...(read ? { cachedContentTokenCount: read, cacheTokensDetails: [{ modality: 'TEXT', tokenCount: read }] } : {}),
  };
  return events.map((e) => (e.usageMetadata ? { ...e, usageMetadata: usage } : e));
}

/** The stream events for a request; a non-streamed answer is their merge. */
function answer(model: string, b: Json): Json[] {
  const base = { modelVersion: model, responseId: 'mockResp' + Math.random().toString(36).slice(2, 10) };
  const decls = ((b.tools ?? []) as { functionDeclarations?: { name: string; parameters?: unknown; parametersJsonSchema?: unknown }[] }[]).flatMap((t) => t.functionDeclarations ?? []);
  const calling = ((b.toolConfig as Json | undefined)?.functionCallingConfig ?? {}) as { mode?: string; allowedFunctionNames?: string[] };
  const forced = calling.mode === 'ANY' ? (calling.allowedFunctionNames?.[0] ?? decls[0]?.name) : undefined;
  const contents = (b.contents ?? []) as { role?: string; parts?: Json[] }[];
  const results = (contents.at(-1)?.parts ?? []).filter((p) => p.functionResponse);
  const call = (name: string, args: Json) => [{ candidates: [{ content: { parts: [{ functionCall: { name, args } }], role: 'model' }, finishReason: 'STOP', index: 0 }], usageMetadata: GEMINI_MOCK_USAGE, ...base }];
  if (!results.length && model.includes('tool') && decls.length) {
    const prompt = contents.filter((c) => c.role !== 'model').map((c) => (c.parts ?? []).map((p) => (typeof p.text === 'string' ? p.text : '')).join('')).at(-1) ?? '';
    const fn = pickTool(decls, (d) => d.name, prompt, forced)!;
    return call(fn.name, toolArguments(fn.parametersJsonSchema ?? fn.parameters, prompt));
  }
  if (!results.length && model.includes('json') && forced) return call(forced, { ok: true });
  const said = toolAnswer(results.map((p) => JSON.stringify((p.functionResponse as Json).response)).join(' '));
  const pieces = results.length ? (said.match(/\S+\s*|\s+/g) ?? [said]) : model.includes('json') ? ['{"ok":', 'true}'] : ['Hello', ' from', ' gemini'];
  const n = Number((b.generationConfig as Json | undefined)?.candidateCount ?? 1);
  const cut = model.includes('cut');
  const shown = cut ? pieces.slice(0, 2) : pieces;
  return shown.map((text, i) => {
    const last = !cut && i === shown.length - 1;
    const candidates = Array.from({ length: n }, (_, index) => ({
      content: { parts: [{ text }], role: 'model' },
      ...(last ? { finishReason: 'STOP' } : {}),
      index,
    }));
    return { candidates, ...(last ? { usageMetadata: GEMINI_MOCK_USAGE } : {}), ...base };
  });
}

function merge(events: Json[]): Json {
  const last = events.at(-1)!;
  const candidates = (last.candidates as Json[]).map((c, i) => {
    const parts = events.flatMap((e) => (((e.candidates as Json[])[i]!.content as Json).parts as Json[]));
    const text = parts.every((p) => typeof p.text === 'string') ? [{ text: parts.map((p) => p.text).join('') }] : parts;
    return { ...c, content: { parts: text, role: 'model' } };
  });
  return { ...last, candidates };
}

/** The checks the real API makes that a translator is most likely to trip. */
function validate(b: Json): string | undefined {
  for (const k of Object.keys(b)) if (!REQUEST_FIELDS.includes(k)) return `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`;
  for (const k of Object.keys((b.generationConfig as Json | undefined) ?? {})) {
    if (!GENERATION_FIELDS.includes(k)) return `Invalid JSON payload received. Unknown name "${k}" at 'generation_config': Cannot find field.`;
  }
  const contents = b.contents as { role?: string; parts?: unknown[] }[] | undefined;
  if (!Array.isArray(contents) || contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified\n';
  for (const [i, c] of contents.entries()) {
    if (c.role !== undefined && c.role !== 'user' && c.role !== 'model') return 'Please use a valid role: user, model.';
    if (!Array.isArray(c.parts) || c.parts.length === 0) return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n`;
  }
  return undefined;
}

function embed(model: string, b: Json): Response {
  const reqs = b.requests as { model?: string; content?: { parts?: { text?: string }[] }; outputDimensionality?: number }[] | undefined;
  if (!Array.isArray(reqs) || reqs.length === 0) return error(400, '* BatchEmbedContentsRequest.requests: requests is not specified\n');
  for (const [i, r] of reqs.entries()) {
    if (r.model !== `models/${model}`) return error(400, `* BatchEmbedContentsRequest.requests[${i}].model: model must match the model in the URL (models/${model})\n`);
  }
  const embeddings = reqs.map((r) => ({ values: vector((r.content?.parts ?? []).map((p) => p.text ?? '').join(''), r.outputDimensionality ?? 8) }));
  return Response.json({ embeddings }, { headers: { 'content-type': 'application/json; charset=UTF-8' } });
}

function vector(s: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (let i = 0; i < s.length; i++) v[i % dims]! += s.charCodeAt(i) / 1000;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}

function error(code: number, message: string): Response {
  return Response.json({ error: { code, message, status: STATUS[code] ?? 'UNKNOWN' } }, { status: code, headers: { 'content-type': 'application/json; charset=UTF-8' } });
}

function badKey(): Response {
  return Response.json(
    {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
          { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
        ],
      },
    },
    { status: 400 },
  );
}

function notFoundPage(): Response {
  return new Response('<!DOCTYPE html>\n<html lang=en>\n  <title>Error 404 (Not Found)!!1</title>\n  <p><b>404.</b> <ins>That’s an error.</ins>\n', { status: 404, headers: { 'content-type': 'text/html; charset=UTF-8' } });
}
