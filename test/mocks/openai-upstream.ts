import { record, type RecordedRequest } from './recorder.ts';
import { pickTool, toolAnswer, toolArguments } from './tool-turn.ts';
import { completionsAnswer } from './openai-completions.ts';
import { answerResponses } from './openai-responses.ts';

/**
 * A mock OpenAI-wire server (OpenAI, Azure OpenAI, OpenAI-compatible). It answers the way
 * api.openai.com does: same JSON, same SSE framing (`data:` lines, `[DONE]`), same error
 * envelope. The upstream model name picks the behaviour: `tool`, `json`, `error-NNN`, `cut`
 * (stream stops mid-way with no finish and no [DONE]), `garbage` (non-JSON body), `slow`,
 * `filtered` (finish_reason content_filter), `long` (finish_reason length).
 * As Azure (`azure: true`), streams open with Azure's filter-only chunk (no choices, empty id,
 * model and object, `prompt_filter_results`) and every choice carries `content_filter_results`,
 * as recorded from Azure OpenAI.
 * The Responses API (/v1/responses) is answered natively: openai-responses.ts.
 * Tool turns (arguments, the answer after a tool result, `json` through a forced tool): tool-turn.ts.
 * Legacy /v1/completions: openai-completions.ts.
 */
export interface OpenAIUpstream {
  url: string;
  requests: RecordedRequest[];
  stop(): void;
}

export function startOpenAIUpstream(opts: { apiKey?: string; azure?: boolean } = {}): OpenAIUpstream {
  const requests: RecordedRequest[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      const r = await record(req, requests);
      const key = opts.azure ? req.headers.get('api-key') : req.headers.get('authorization')?.replace(/^Bearer /, '');
      if (opts.apiKey && key !== opts.apiKey) {
        return Response.json({ error: { message: 'Incorrect API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }, { status: 401 });
      }
      const body = r.body as Record<string, unknown>;
      const model = String(body.model ?? (opts.azure ? r.path.split('/')[3] : ''));
      const err = /error-(\d{3})/.exec(model);
      if (err) return Response.json({ error: { message: `Upstream failure ${err[1]}`, type: 'server_error', param: null, code: null } }, { status: Number(err[1]) });
      if (model.includes('garbage')) return new Response('<html>502 Bad Gateway</html>', { status: 200, headers: { 'content-type': 'application/json' } });
      if (/\/completions$|\/completions\?/.test(r.path) && !r.path.includes('/chat/')) return completionsAnswer(body, model);
      if (r.path.split('?')[0]!.endsWith('/responses')) return answerResponses(body, model);
      if (r.path.includes('/embeddings')) {
        const input = body.input;
        const items = typeof input === 'string' ? [input] : (input as string[]);
        return Response.json({ object: 'list', data: items.map((_, index) => ({ object: 'embedding', index, embedding: [0.1 * (index + 1), 0.2, 0.3] })), model, usage: { prompt_tokens: 5 * items.length, total_tokens: 5 * items.length } });
      }
      const messages = (Array.isArray(body.messages) ? body.messages : []) as { role?: string; content?: unknown }[];
      const toolCall = toolCallFor(model, body, messages);
      const last = messages.at(-1);
      const text = last?.role === 'tool' ? toolAnswer(textOf(last.content)) : model.includes('json') ? '{"ok":true}' : 'Hello from openai';
      const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 2 } };
      // `filtered` ends as Azure's content filter does, `long` as a max_tokens cut does.
      const finish = toolCall ? 'tool_calls' : model.includes('filtered') ? 'content_filter' : model.includes('long') ? 'length' : 'stop';
      const base = { id: 'chatcmpl-up1', object: 'chat.completion.chunk', created: 1700000000, model, system_fingerprint: 'fp_mock' };
      if (body.stream) {
        const chunks: Record<string, unknown>[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
        if (toolCall) {
          chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } }] }, finish_reason: null }] });
          const args = toolCall.function.arguments;
          for (const frag of [args.slice(0, 4), args.slice(4, 12), args.slice(12)]) chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: frag } }] }, finish_reason: null }] });
        } else {
          for (const w of text.match(/\S+\s*|\s+/g) ?? [text]) chunks.push({ ...base, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] });
        }
        const cut = model.includes('cut');
        if (!cut) {
          chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] });
          if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) chunks.push({ ...base, choices: [], usage });
        }
        if (opts.azure) {
          for (const ch of chunks) for (const c of (ch.choices as Record<string, unknown>[]) ?? []) c.content_filter_results = AZURE_FILTERS;
          chunks.unshift({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: AZURE_FILTERS }] });
        }
        const enc = new TextEncoder();
        const slow = model.includes('slow');
        const stream = new ReadableStream<Uint8Array>({
          async start(c) {
            for (const ch of chunks) {
              c.enqueue(enc.encode(`data: ${JSON.stringify(ch)}\n\n`));
              if (slow) await Bun.sleep(200);
            }
            if (!cut) c.enqueue(enc.encode('data: [DONE]\n\n'));
            c.close();
          },
        });
        return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
      }
      const message = toolCall ? { role: 'assistant', content: null, tool_calls: [toolCall], refusal: null } : { role: 'assistant', content: text, refusal: null };
      return Response.json({ id: 'chatcmpl-up1', object: 'chat.completion', created: 1700000000, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage, system_fingerprint: 'fp_mock' });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}

const safe = { filtered: false, severity: 'safe' };
const AZURE_FILTERS = { hate: safe, self_harm: safe, sexual: safe, violence: safe };
type Json = Record<string, unknown>;

/**
 * `tool` calls the forced tool (tool_choice names one) or the first; `json` calls a forced tool
 * with {"ok":true} (how clients ask for structured output through function calling). After a
 * tool result the model answers in text instead.
 */
function toolCallFor(model: string, body: Json, messages: { role?: string }[]) {
  const tools = (Array.isArray(body.tools) ? body.tools : []) as { function: { name: string; parameters?: unknown } }[];
  if (!tools.length || messages.at(-1)?.role === 'tool') return undefined;
  const choice = body.tool_choice as { function?: { name?: string } } | string | undefined;
  const named = typeof choice === 'object' ? choice.function?.name : undefined;
  const forced = named ?? (choice === 'required' ? tools[0]!.function.name : undefined);
  let args: Json;
  if (model.includes('tool')) {
    const prompt = messages.filter((m) => m.role === 'user').map((m) => textOf((m as { content?: unknown }).content)).at(-1) ?? '';
    const tool = pickTool(tools, (t) => t.function.name, prompt, forced)!;
    args = toolArguments(tool.function.parameters, prompt);
    return { id: 'call_abc123', type: 'function', function: { name: tool.function.name, arguments: JSON.stringify(args) } };
  }
  if (model.includes('json') && forced) return { id: 'call_abc123', type: 'function', function: { name: forced, arguments: '{"ok":true}' } };
  return undefined;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof (p as Json).text === 'string' ? String((p as Json).text) : '')).join('');
  return '';
}
