import { record, type RecordedRequest } from './recorder.ts';
import { pickTool, toolAnswer, toolArguments } from './tool-turn.ts';
import { promptCache, segmentsOf, ttlOrderProblem, type CacheCounts, type Ttl } from './prompt-cache-sim.ts';

/**
 * A mock of api.anthropic.com's Messages endpoint for tests, speaking the real wire: JSON
 * messages, SSE with `event:` lines and a `ping` after the first block starts, the
 * `{"type":"error","error":{type,message}}` envelope, and a 401 `authentication_error` when
 * `x-api-key` is wrong (a 400 when `anthropic-version` is missing, or a `system` turn sits in
 * `messages` without the `mid-conversation-system` beta, as the real API does).
 *
 * The requested model name picks the behaviour:
 *   …error-NNN…  HTTP NNN in Anthropic's error envelope
 *   …cut…        the stream stops after two text deltas with no message_stop (non-streaming: a truncated body)
 *   …tool…       calls the forced tool (tool_choice type tool) or else the first tool, with arguments per tool-turn.ts
 *   (any model)  after a tool_result, answers in text quoting it (tool-turn.ts)
 *   …json…       answers {"ok":true}: through the forced tool when one is forced, else as text
 *   otherwise    "Hello from anthropic", streamed as three text deltas
 * With `thinking` enabled or adaptive the answer starts with a thinking block (text, then its
 * `signature`; streamed as thinking_delta events and one signature_delta, as recorded), and with
 * `output_config.format` json_schema the text is {"ok":true}. A thinking block sent back in the
 * history without its signature is a 400, as on the real API.
 * Usage is always input 11, output 7 (message_start reports output 1, like the real API). With
 * `cache_control` breakpoints (on tools, system and message blocks, or top level: the last block)
 * the prompt up to them is cached as prompt-cache-sim.ts does, reported as the real API does
 * (cache_read_input_tokens, cache_creation_input_tokens and its cache_creation 5m/1h split, apart
 * from input_tokens); more than 4 breakpoints, or a 1h one after a 5m one, is the API's 400.
 */
export interface AnthropicUpstreamOptions {
  /** The key the mock accepts in `x-api-key`. */
  apiKey?: string;
}
export interface AnthropicUpstream {
  url: string;
  requests: RecordedRequest[];
  stop(): void;
}

type Json = Record<string, unknown>;
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};
const USAGE_START = { input_tokens: 11, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' };
const USAGE_END = { input_tokens: 11, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 7 };

export function startAnthropicUpstream(opts: AnthropicUpstreamOptions = {}): AnthropicUpstream {
  const apiKey = opts.apiKey ?? 'test-anthropic-key';
  const requests: RecordedRequest[] = [];
  const cache = promptCache();
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      const { headers, body } = await record(req, requests);
      const path = new URL(req.url).pathname;
      if (req.method !== 'POST' || path !== '/v1/messages') return error(404, `${req.method} ${path} not found`);
      if (headers['x-api-key'] !== apiKey) return error(401, 'invalid x-api-key');
      if (!headers['anthropic-version']) return error(400, 'anthropic-version: header is required');
      if (!body || typeof body !== 'object') return error(400, 'There was an error parsing the body of your request');
      const b = body as Json;
      for (const field of ['model', 'max_tokens', 'messages']) if (b[field] === undefined) return error(400, `${field}: Field required`);
      const unsigned = unsignedThinking(b.messages);
      if (unsigned) return error(400, `${unsigned}.signature: Field required`);
      // `system` turns in `messages` need the mid-conversation-system beta, as on the real API.
      const systemAt = Array.isArray(b.messages) ? (b.messages as Json[]).findIndex((m) => m.role === 'system') : -1;
      if (systemAt >= 0 && !headers['anthropic-beta']?.includes('mid-conversation-system')) return error(400, `messages.${systemAt}.role: Input should be 'user' or 'assistant'`);
      const blocks = promptBlocks(b);
      const marked = blocks.filter((x) => x.cache_control != null).length;
      if (marked > 4) return error(400, `A maximum of 4 blocks with cache_control may be provided. Found ${marked}.`);
      const segments = segmentsOf(blocks, ttlOf, (x) => JSON.stringify({ ...x, cache_control: undefined }));
      const order = ttlOrderProblem(segments);
      if (order) return error(400, order);
      return answer(b, segments.length ? cache.use(String(b.model), segments) : undefined);
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}

const THINKING = 'The user greets me; a short greeting back is right.';
const SIGNATURE = 'EqQBCkYIBxgCKkBmock' + 'A'.repeat(40);

/** The prompt's blocks in cache order (tools, system, messages; tool_result contents inline), top-level cache_control on the last. */
function promptBlocks(b: Json): Json[] {
  const list = (v: unknown): Json[] => (typeof v === 'string' ? [{ type: 'text', text: v }] : Array.isArray(v) ? (v as Json[]) : []);
  const flat = (blocks: Json[]): Json[] => blocks.flatMap((x) => [x, ...(Array.isArray(x.content) ? flat(x.content as Json[]) : [])]);
  const blocks = [...list(b.tools), ...list(b.system), ...(Array.isArray(b.messages) ? (b.messages as Json[]) : []).flatMap((m) => flat(list(m.content)))];
  if (b.cache_control != null && blocks.length) blocks[blocks.length - 1] = { ...blocks.at(-1)!, cache_control: b.cache_control };
  return blocks;
}

const ttlOf = (x: Json): Ttl | undefined => (x.cache_control == null ? undefined : (x.cache_control as Json).ttl === '1h' ? '1h' : '5m');

/** Usage as the API reports it, with the prompt cache's counters when the prompt had breakpoints. */
function usageOf(base: Json, c: CacheCounts | undefined): Json {
  if (!c) return base;
  return {
    ...base,
    cache_creation_input_tokens: c.write5m + c.write1h,
    cache_read_input_tokens: c.read,
    cache_creation: { ephemeral_5m_input_tokens: c.write5m, ephemeral_1h_input_tokens: c.write1h },
  };
}

function answer(b: Json, cached?: CacheCounts): Response {
  const model = String(b.model);
  const status = /error-(\d{3})/.exec(model);
  if (status) return error(Number(status[1]), `mock error ${status[1]}`);
  const id = 'msg_mock' + crypto.randomUUID().replace(/-/g, '').slice(0, 20);
  const block = contentOf(model, b);
  const stopReason = block.type === 'tool_use' ? 'tool_use' : 'end_turn';
  const thinking = ['enabled', 'adaptive'].includes(String((b.thinking as Json | undefined)?.type));
  if (b.stream === true) return sse(streamEvents(id, model, block, stopReason, thinking, cached));
  const content = thinking ? [{ type: 'thinking', thinking: THINKING, signature: SIGNATURE }, block] : [block];
  const message = { id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage: usageOf({ ...USAGE_START, output_tokens: 7 }, cached) };
  if (model.includes('cut')) return new Response(JSON.stringify(message).slice(0, 60), { headers: { 'content-type': 'application/json' } });
  return Response.json(message, { headers: { 'request-id': 'req_mock' } });
}

function contentOf(model: string, b: Json): Json {
  const tools = Array.isArray(b.tools) ? (b.tools as Json[]) : [];
  const choice = (b.tool_choice ?? {}) as Json;
  const forced = choice.type === 'tool' ? String(choice.name) : choice.type === 'any' && tools.length ? String(tools[0]!.name) : undefined;
  const toolUse = (name: string, input: Json) => ({ type: 'tool_use', id: 'toolu_mock' + crypto.randomUUID().replace(/-/g, '').slice(0, 16), name, input });
  const messages = (Array.isArray(b.messages) ? b.messages : []) as Json[];
  const lastBlocks = Array.isArray(messages.at(-1)?.content) ? (messages.at(-1)!.content as Json[]) : [];
  const results = lastBlocks.filter((c) => c.type === 'tool_result');
  if (results.length) return { type: 'text', text: toolAnswer(results.map((r) => textOf(r.content)).join(' ')) };
  if (model.includes('tool') && tools.length) {
    const prompt = messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)).at(-1) ?? '';
    const tool = pickTool(tools, (t) => String(t.name), prompt, forced)!;
    return toolUse(String(tool.name), toolArguments(tool.input_schema, prompt));
  }
  if (model.includes('json')) return forced ? toolUse(forced, { ok: true }) : { type: 'text', text: '{"ok":true}' };
  if (((b.output_config as Json | undefined)?.format as Json | undefined)?.type === 'json_schema') return { type: 'text', text: '{"ok":true}' };
  return { type: 'text', text: 'Hello from anthropic' };
}

function streamEvents(id: string, model: string, block: Json, stopReason: string, thinking: boolean, cached?: CacheCounts): Json[] {
  const events: Json[] = [{ type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usageOf(USAGE_START, cached) } }];
  const at = thinking ? 1 : 0;
  if (thinking) {
    events.push({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }, { type: 'ping' });
    for (const piece of THINKING.match(/\S+\s*/g) ?? []) events.push({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: piece } });
    events.push({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: SIGNATURE } }, { type: 'content_block_stop', index: 0 });
  }
  if (block.type === 'tool_use') {
    const json = JSON.stringify(block.input);
    const half = Math.ceil(json.length / 2);
    events.push({ type: 'content_block_start', index: at, content_block: { ...block, input: {} } }, ...(thinking ? [] : [{ type: 'ping' }]));
    for (const partial_json of ['', json.slice(0, half), json.slice(half)]) events.push({ type: 'content_block_delta', index: at, delta: { type: 'input_json_delta', partial_json } });
  } else {
    events.push({ type: 'content_block_start', index: at, content_block: { type: 'text', text: '' } }, ...(thinking ? [] : [{ type: 'ping' }]));
    for (const piece of String(block.text).match(/\S+\s*|\s+/g) ?? []) events.push({ type: 'content_block_delta', index: at, delta: { type: 'text_delta', text: piece } });
  }
  if (model.includes('cut')) return events.slice(0, thinking ? events.length - 1 : 5);
  events.push(
    { type: 'content_block_stop', index: at },
    { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: usageOf(USAGE_END, cached) },
    { type: 'message_stop' },
  );
  return events;
}

function sse(events: Json[]): Response {
  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const e of events) controller.enqueue(enc.encode(`event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`));
      controller.close();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': 'req_mock' } });
}

function error(status: number, message: string): Response {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return Response.json({ type: 'error', error: { type, message }, request_id: 'req_mock' }, { status });
}

/** The first thinking block in the history that lost its signature (`messages.1.content.0`), if any. */
function unsignedThinking(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (const [i, m] of (messages as Json[]).entries()) {
    if (!Array.isArray(m.content)) continue;
    const j = (m.content as Json[]).findIndex((b) => b.type === 'thinking' && typeof b.signature !== 'string');
    if (j >= 0) return `messages.${i}.content.${j}`;
  }
  return undefined;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return (content as Json[]).map((c) => (c.type === 'text' ? String(c.text) : '')).join('\n');
  return '';
}
