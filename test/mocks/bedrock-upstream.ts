import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { AwsV4Signer } from 'aws4fetch';
import { pickTool, toolAnswer, toolArguments } from './tool-turn.ts';
import { promptCache, segmentsOf, ttlOrderProblem } from './prompt-cache-sim.ts';

/**
 * A Bedrock Runtime stand-in that speaks the real wire: Converse JSON, ConverseStream as a binary
 * `application/vnd.amazon.eventstream` (prelude, headers, CRCs, JSON payloads with Bedrock's `p`
 * padding field), InvokeModel embeddings (Titan and Cohere bodies), and AWS's error envelope
 * (`{"message"}` plus `x-amzn-errortype`). Every request must carry a valid SigV4 signature for
 * the configured key; the signature is recomputed, not just pattern-matched.
 *
 * Behaviour by model id: `tool` calls the forced or first tool (arguments per tool-turn.ts); `json`
 * answers {"ok":true} (through a forced tool when one is forced); after a toolResult any model
 * answers in text quoting it; `error-NNN` fails with HTTP NNN; `cut` streams a few deltas then closes without
 * messageStop; anything else answers "Hello from bedrock". Usage is input 11, output 7.
 *
 * Converse bodies are checked the way the service model types them: a content, system or tool
 * entry with a member Converse does not have is a ValidationException. `cachePoint` blocks are
 * accepted for Claude and Nova models (others refuse them), with an optional `ttl` (5m, 1h), at
 * most 4 a request; the prompt up to them is cached as prompt-cache-sim.ts does: written on first
 * sight (`cacheWriteInputTokens`, one token per 4 characters, `cacheDetails` by TTL) and read
 * afterwards (`cacheReadInputTokens`), as the recorded cache cassettes show.
 */
export interface BedrockUpstreamOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
}

export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export const MOCK_CREDENTIALS = { accessKeyId: 'AKIDMOCKBEDROCK00001', secretAccessKey: 'mock/secret+key/for/tests/only0000000000' };

const ERROR_TYPES: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};
const ERROR_MESSAGES: Record<string, string> = {
  ThrottlingException: 'Too many requests, please wait before trying again.',
  ValidationException: 'The provided model identifier is invalid.',
};
const USAGE = { inputTokens: 11, outputTokens: 7, totalTokens: 18 };

export function startBedrockUpstream(opts: BedrockUpstreamOptions = {}) {
  const accessKeyId = opts.accessKeyId ?? MOCK_CREDENTIALS.accessKeyId;
  const secretAccessKey = opts.secretAccessKey ?? MOCK_CREDENTIALS.secretAccessKey;
  const region = opts.region ?? 'us-east-1';
  const requests: RecordedRequest[] = [];
  const cache = promptCache();

  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const url = new URL(req.url);
      const text = await req.text();
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => (headers[k] = v));
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Recorded as text; the handlers below answer it with a ValidationException.
      }
      requests.push({ path: url.pathname, headers, body });

      const denied = await checkSignature(req, url, text, { accessKeyId, secretAccessKey, region });
      if (denied) return denied;

      const m = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) return awsError(404, 'UnknownOperationException', 'Unknown operation');
      const model = decodeURIComponent(m[1]!);
      const status = /error-(\d{3})/.exec(model);
      if (status) {
        const code = Number(status[1]);
        const type = ERROR_TYPES[code] ?? 'InternalServerException';
        return awsError(code, type, ERROR_MESSAGES[type] ?? `Mock ${type} (${code}).`);
      }
      if (typeof body !== 'object' || body === null) return awsError(400, 'ValidationException', 'Malformed input request, please reformat your input and try again.');
      if (m[2] === 'invoke') return invoke(model, body as Record<string, unknown>);
      const invalid = converseProblem(model, body as Record<string, unknown>);
      if (invalid) return awsError(400, 'ValidationException', invalid);
      const answer = answerFor(model, body as Record<string, unknown>);
      const points = cachePoints(body as Record<string, unknown>);
      if (points.length > 4) return awsError(400, 'ValidationException', `A maximum of 4 cache checkpoints may be provided. Found ${points.length}.`);
      const segments = segmentsOf(points.flat, (b) => ('cachePoint' in b ? ((b.cachePoint as { ttl?: string }).ttl === '1h' ? '1h' : '5m') : undefined), (b) => ('cachePoint' in b ? '' : JSON.stringify(b)));
      const order = ttlOrderProblem(segments);
      if (order) return awsError(400, 'ValidationException', order);
      const usage = cacheUsage(cache.use(model, segments));
      return m[2] === 'converse' ? converse(answer, usage) : converseStream(answer, model.includes('cut'), usage);
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    credentials: { accessKeyId, secretAccessKey },
    region,
    stop: () => server.stop(true),
  };
}

type Answer = { text: string } | { tool: { toolUseId: string; name: string; input: Record<string, unknown> } };

function answerFor(model: string, body: Record<string, unknown>): Answer {
  type Block = { text?: string; json?: unknown; toolResult?: { content?: Block[] } };
  const config = (body.toolConfig ?? {}) as { tools?: { toolSpec?: { name: string; inputSchema?: { json?: unknown } } }[]; toolChoice?: { tool?: { name: string }; any?: unknown } };
  const specs = (config.tools ?? []).flatMap((t) => (t.toolSpec ? [t.toolSpec] : []));
  const forced = config.toolChoice?.tool?.name ?? (config.toolChoice?.any && specs[0] ? specs[0].name : undefined);
  const messages = (Array.isArray(body.messages) ? body.messages : []) as { role?: string; content?: Block[] }[];
  const results = (messages.at(-1)?.content ?? []).filter((c) => c.toolResult);
  const textOf = (blocks: Block[] = []) => blocks.map((c) => c.text ?? (c.json !== undefined ? JSON.stringify(c.json) : '')).join(' ');
  if (results.length) return { text: toolAnswer(results.map((r) => textOf(r.toolResult!.content)).join(' ')) };
  const use = (name: string, input: Record<string, unknown>) => ({ tool: { toolUseId: 'tooluse_' + crypto.randomUUID().replace(/-/g, '').slice(0, 22), name, input } });
  if (model.includes('tool') && specs.length) {
    const prompt = messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)).at(-1) ?? '';
    const spec = pickTool(specs, (t) => t.name, prompt, forced)!;
    return use(spec.name, toolArguments(spec.inputSchema?.json, prompt));
  }
  if (model.includes('json') && forced) return use(forced, { ok: true });
  if (model.includes('json')) return { text: '{"ok":true}' };
  return { text: 'Hello from bedrock' };
}

/** Converse's union members (service model ContentBlock, SystemContentBlock, Tool). */
const CONTENT_MEMBERS = new Set(['text', 'image', 'document', 'video', 'toolUse', 'toolResult', 'guardContent', 'cachePoint', 'reasoningContent', 'citationsContent', 'searchResult']);
const SYSTEM_MEMBERS = new Set(['text', 'guardContent', 'cachePoint']);
const TOOL_MEMBERS = new Set(['toolSpec', 'cachePoint', 'systemTool']);
const CACHING_MODELS = /(^|\.)(anthropic\.claude|amazon\.nova)/;

function converseProblem(model: string, body: Record<string, unknown>): string | undefined {
  const check = (list: unknown, members: Set<string>, at: string): string | undefined => {
    if (list === undefined) return undefined;
    if (!Array.isArray(list)) return `${at} must be a list`;
    for (const [i, entry] of (list as Record<string, unknown>[]).entries()) {
      const keys = Object.keys(entry ?? {});
      if (keys.length !== 1 || !members.has(keys[0]!)) return `${at}.${i} must set exactly one of ${[...members].join(', ')}`;
      if (keys[0] === 'cachePoint') {
        if (!CACHING_MODELS.test(model)) return `The model ${model} does not support prompt caching (cachePoint)`;
        if ((entry.cachePoint as { type?: unknown })?.type !== 'default') return `${at}.${i}.cachePoint.type must be default`;
        const ttl = (entry.cachePoint as { ttl?: unknown }).ttl;
        if (ttl !== undefined && ttl !== '5m' && ttl !== '1h') return `${at}.${i}.cachePoint.ttl must be one of 5m, 1h`;
      }
    }
    return undefined;
  };
  const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
  return (
    check(body.system, SYSTEM_MEMBERS, 'system') ??
    check((body.toolConfig as { tools?: unknown } | undefined)?.tools, TOOL_MEMBERS, 'toolConfig.tools') ??
    messages.map((m, i) => check(m.content, CONTENT_MEMBERS, `messages.${i}.content`)).find(Boolean)
  );
}

/** The prompt's blocks in cache order (tools, system, messages), and how many of them are cachePoints. */
function cachePoints(body: Record<string, unknown>): { flat: Record<string, unknown>[]; length: number } {
  const list = (v: unknown) => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
  const messages = list(body.messages) as { content?: unknown }[];
  const flat = [...list((body.toolConfig as { tools?: unknown } | undefined)?.tools), ...list(body.system), ...messages.flatMap((m) => list(m.content))];
  return { flat, length: flat.filter((b) => 'cachePoint' in b).length };
}

/** Converse usage for one call: cache reads and writes beside the uncached inputTokens, writes broken down by TTL (1h first), as the service model says. */
function cacheUsage(c: { read: number; write5m: number; write1h: number }): Record<string, unknown> {
  const write = c.write5m + c.write1h;
  if (!c.read && !write) return USAGE;
  const details = [...(c.write1h ? [{ ttl: '1h', inputTokens: c.write1h }] : []), ...(c.write5m ? [{ ttl: '5m', inputTokens: c.write5m }] : [])];
  return { ...USAGE, cacheReadInputTokens: c.read, cacheWriteInputTokens: write, totalTokens: USAGE.totalTokens + c.read + write, ...(details.length ? { cacheDetails: details } : {}) };
}

function converse(a: Answer, usage: Record<string, unknown>): Response {
  const content = 'text' in a ? [{ text: a.text }] : [{ toolUse: { ...a.tool, type: 'tool_use' } }];
  return json({
    metrics: { latencyMs: 42 },
    output: { message: { role: 'assistant', content } },
    stopReason: 'text' in a ? 'end_turn' : 'tool_use',
    usage,
  });
}

function converseStream(a: Answer, cut: boolean, usage: Record<string, unknown>): Response {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const frame = (type: string, payload: Record<string, unknown>) =>
    codec.encode({
      headers: {
        ':event-type': { type: 'string', value: type },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      // Bedrock pads every payload with a `p` field of random length to hide token sizes.
      body: fromUtf8(JSON.stringify({ ...payload, p: 'abcdefghijklmnopqrstuvwxyz'.slice(0, 1 + (type.length % 20)) })),
    });
  const frames: Uint8Array[] = [frame('messageStart', { role: 'assistant' })];
  if ('text' in a) {
    const pieces = a.text.match(/\S+\s*|\s+/g) ?? [a.text];
    const parts = pieces.length > 1 ? pieces : [a.text.slice(0, 4), a.text.slice(4)];
    const shown = cut ? parts.slice(0, 2) : parts;
    for (const p of shown) frames.push(frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: p } }));
    if (!cut) frames.push(frame('contentBlockStop', { contentBlockIndex: 0 }));
  } else {
    const args = JSON.stringify(a.tool.input);
    const half = Math.ceil(args.length / 2);
    frames.push(frame('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: a.tool.toolUseId, name: a.tool.name, type: 'tool_use' } } }));
    frames.push(frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: args.slice(0, half) } } }));
    if (!cut) {
      frames.push(frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: args.slice(half) } } }));
      frames.push(frame('contentBlockStop', { contentBlockIndex: 0 }));
    }
  }
  if (!cut) {
    frames.push(frame('messageStop', { stopReason: 'text' in a ? 'end_turn' : 'tool_use' }));
    frames.push(frame('metadata', { usage, metrics: { latencyMs: 42 } }));
  }
  // Like the real service, chunk boundaries ignore frame boundaries: the second frame is split.
  const all = concat(frames);
  const cutAt = frames[0]!.length + 7;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(all.slice(0, cutAt));
      c.enqueue(all.slice(cutAt));
      c.close();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': crypto.randomUUID() } });
}

function invoke(model: string, body: Record<string, unknown>): Response {
  if (/amazon\.titan-embed/.test(model)) {
    if (typeof body.inputText !== 'string') return awsError(400, 'ValidationException', 'Malformed input request: #: required key [inputText] not found, please reformat your input and try again.');
    const dims = typeof body.dimensions === 'number' ? body.dimensions : 8;
    const v = vector(body.inputText, dims);
    return json({ embedding: v, embeddingsByType: { float: v }, inputTextTokenCount: tokens(body.inputText) });
  }
  if (/cohere\.embed/.test(model)) {
    const texts = body.texts;
    if (!Array.isArray(texts) || typeof body.input_type !== 'string') return awsError(400, 'ValidationException', 'Malformed input request: texts and input_type are required, please reformat your input and try again.');
    const dims = typeof body.output_dimension === 'number' ? body.output_dimension : 8;
    const res = json({ embeddings: texts.map((t) => vector(String(t), dims)), id: crypto.randomUUID(), response_type: 'embeddings_floats', texts });
    // Like Bedrock, Cohere's token count travels only in this header.
    res.headers.set('x-amzn-bedrock-input-token-count', String(texts.reduce((n: number, t) => n + tokens(String(t)), 0)));
    return res;
  }
  return awsError(400, 'ValidationException', 'The provided model does not support InvokeModel in this mock.');
}

/** Verifies SigV4 the way AWS does: recompute over the signed headers, compare signatures. */
async function checkSignature(req: Request, url: URL, body: string, keys: { accessKeyId: string; secretAccessKey: string; region: string }): Promise<Response | undefined> {
  const auth = req.headers.get('authorization');
  const date = req.headers.get('x-amz-date');
  if (!auth || !date) return awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return awsError(403, 'IncompleteSignatureException', `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${auth.split(' ')[0]}`);
  const [, keyId, day, scopeRegion, service, signedHeaders, signature] = m;
  if (keyId !== keys.accessKeyId) return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  const names = signedHeaders!.split(';');
  if (service !== 'bedrock' || scopeRegion !== keys.region || day !== date.slice(0, 8) || !names.includes('host') || !names.includes('x-amz-date')) {
    return awsError(403, 'InvalidSignatureException', `Credential should be scoped to a valid region and service 'bedrock'.`);
  }
  const headers: Record<string, string> = {};
  for (const n of names) if (n !== 'host') headers[n] = req.headers.get(n) ?? '';
  const expected = await new AwsV4Signer({
    method: req.method,
    url: url.toString(),
    headers,
    body,
    accessKeyId: keyId,
    secretAccessKey: keys.secretAccessKey,
    service: 'bedrock',
    region: keys.region,
    datetime: date,
    allHeaders: true,
  }).signature();
  if (expected !== signature) {
    return awsError(403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
  }
  return undefined;
}

function awsError(status: number, type: string, message: string): Response {
  return Response.json({ message }, {
    status,
    headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': crypto.randomUUID() },
  });
}

function json(body: unknown): Response {
  return Response.json(body, { headers: { 'x-amzn-requestid': crypto.randomUUID() } });
}

function vector(s: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (let i = 0; i < s.length; i++) v[i % dims]! += s.charCodeAt(i) / 1000;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function tokens(s: string): number {
  return Math.max(1, s.split(/\s+/).filter(Boolean).length);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
