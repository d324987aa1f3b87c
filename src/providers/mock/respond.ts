import { behaviourOf } from './behaviour.ts';
import { wordsEmbedding } from './words-embedding.ts';

/**
 * An in-process OpenAI-wire upstream. It speaks exactly what api.openai.com sends, so the mock
 * provider exercises the same translator and stream path as a real one.
 */
export async function mockFetch(url: string, init: RequestInit): Promise<Response> {
  const body = JSON.parse(String(init.body ?? '{}')) as Record<string, unknown>;
  const model = String(body.model ?? 'mock/ok');
  const b = behaviourOf(model);
  const signal = init.signal ?? undefined;
  if (b.delayMs) await sleep(b.delayMs, signal);
  if (b.kind === 'error') {
    return Response.json({ error: { message: `mock error ${b.status}`, type: 'mock_error', param: null, code: null } }, { status: b.status });
  }
  if (url.endsWith('/embeddings')) return Response.json(embeddings(body, model, b.kind === 'embedding-words' ? wordsEmbedding : vector));
  const cap = Number(body.max_completion_tokens ?? body.max_tokens ?? Infinity);
  const choices = Math.max(1, Number(body.n ?? 1));
  // A provider stops at the cap (about 4 characters a token here).
  const text = capText(b.writes ? 'word '.repeat(Math.ceil((b.writes * 4) / 5)).slice(0, b.writes * 4) : answerText(body, b.kind), cap);
  const toolCall = b.kind === 'tool' ? firstToolCall(body) : undefined;
  const promptTokens = estimateTokens(JSON.stringify(body.messages ?? ''));
  const completionTokens = choices * (toolCall ? estimateTokens(toolCall.function.arguments) + 5 : Math.min(cap, estimateTokens(text)));
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  const id = 'chatcmpl-mock' + Math.random().toString(36).slice(2, 10);
  const created = Math.floor(Date.now() / 1000);
  if (body.stream === true) return streamResponse({ id, created, model, text, toolCall, usage, includeUsage: (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true });
  const message = toolCall ? { role: 'assistant', content: null, tool_calls: [toolCall] } : { role: 'assistant', content: text };
  const finish = toolCall ? 'tool_calls' : estimateTokens(text) >= cap ? 'length' : 'stop';
  return Response.json({
    id,
    object: 'chat.completion',
    created,
    model,
    choices: Array.from({ length: choices }, (_, index) => ({ index, message, finish_reason: finish, logprobs: null })),
    usage,
  });
}

type Call = { id: string; type: 'function'; function: { name: string; arguments: string } };

function streamResponse(o: { id: string; created: number; model: string; text: string; toolCall?: Call; usage: object; includeUsage: boolean }): Response {
  const base = { id: o.id, object: 'chat.completion.chunk', created: o.created, model: o.model };
  const chunks: object[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
  if (o.toolCall) {
    const args = o.toolCall.function.arguments;
    const half = Math.ceil(args.length / 2);
    chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: o.toolCall.id, type: 'function', function: { name: o.toolCall.function.name, arguments: args.slice(0, half) } }] }, finish_reason: null }] });
    chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] }, finish_reason: null }] });
  } else {
    for (const piece of o.text.match(/\S+\s*/g) ?? []) chunks.push({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
  }
  chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: o.toolCall ? 'tool_calls' : 'stop' }] });
  if (o.includeUsage) chunks.push({ ...base, choices: [], usage: o.usage });
  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(enc.encode(`data: ${JSON.stringify(c)}\n\n`));
      controller.enqueue(enc.encode('data: [DONE]\n\n'));
      controller.close();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
}

function answerText(body: Record<string, unknown>, kind: string): string {
  if (kind === 'json') return '{"ok":true}';
  const messages = (body.messages as { role: string; content: unknown }[] | undefined) ?? [];
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const c = last?.content;
  const text = typeof c === 'string' ? c : Array.isArray(c) ? c.map((p: { text?: string }) => p.text ?? '').join(' ') : '';
  return `Mock reply to: ${text.slice(0, 200)}`.trim();
}

function firstToolCall(body: Record<string, unknown>): Call | undefined {
  const tools = body.tools as { function: { name: string } }[] | undefined;
  if (!tools?.length) return undefined;
  return { id: 'call_mock' + Math.random().toString(36).slice(2, 10), type: 'function', function: { name: tools[0]!.function.name, arguments: '{"location":"Paris"}' } };
}

function embeddings(body: Record<string, unknown>, model: string, embed: (s: string) => number[]) {
  const input = body.input;
  const items: string[] = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [];
  const data = items.map((s, index) => ({ object: 'embedding', index, embedding: embed(s) }));
  const tokens = items.reduce((n, s) => n + estimateTokens(s), 0);
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

function vector(s: string): number[] {
  const v = new Array<number>(8).fill(0);
  for (let i = 0; i < s.length; i++) v[i % 8]! += s.charCodeAt(i) / 1000;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}

function capText(text: string, cap: number): string {
  return Number.isFinite(cap) && text.length > cap * 4 ? text.slice(0, cap * 4) : text;
}

/** A rough count (one token per ~4 characters), good enough for a mock. */
function estimateTokens(s: string): number {
  return Math.max(1, Math.ceil(s.length / 4));
}

function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    }, { once: true });
  });
}
