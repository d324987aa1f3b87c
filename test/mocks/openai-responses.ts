import { pickTool, toolAnswer, toolArguments } from './tool-turn.ts';

/**
 * The OpenAI mock's native Responses API (POST /v1/responses), shaped as the recordings in
 * test/fixtures/openai/*responses*.yaml: the response object with every echoed field, and the
 * stream as `event:`/`data:` frames (response.created, response.in_progress, per item its
 * added / part / delta / done events, response.completed), each with a sequence_number.
 * `tool` in the model calls a function tool (then answers in text after its output), `json`
 * answers {"ok":true}, `cut` stops the stream before response.completed.
 */
type Json = Record<string, unknown>;

const USAGE = { input_tokens: 11, input_tokens_details: { cached_tokens: 3 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 18 };

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((p) => (typeof (p as Json).text === 'string' ? String((p as Json).text) : '')).join('');
  return '';
}

export function answerResponses(body: Json, model: string): Response {
  const items = (typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : ((body.input as Json[] | undefined) ?? [])) as Json[];
  const last = items.at(-1);
  const tools = ((body.tools as Json[] | undefined) ?? []).filter((t) => t.type === 'function');
  const prompt = items.filter((i) => i.role === 'user').map((i) => textOf(i.content)).at(-1) ?? '';
  // Ids as OpenAI makes them: a prefix and 48 hex digits, new for every response and item.
  const hex = () => Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => b.toString(16).padStart(2, '0')).join('');
  const id = `resp_${hex()}`;
  let item: Json;
  if (model.includes('tool') && tools.length && last?.type !== 'function_call_output') {
    const choice = body.tool_choice as Json | string | undefined;
    const tool = pickTool(tools, (t) => String(t.name), prompt, typeof choice === 'object' ? String(choice.name) : undefined)!;
    item = { type: 'function_call', id: `fc_${hex()}`, call_id: 'call_kL0PCQV7M2WMoVX8V8OtYSAL', name: tool.name, arguments: JSON.stringify(toolArguments(tool.parameters, prompt)), status: 'completed' };
  } else {
    const text = last?.type === 'function_call_output' ? toolAnswer(textOf(last.output)) : model.includes('json') ? '{"ok":true}' : 'Hello from openai';
    item = { type: 'message', id: `msg_${hex()}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
  }
  const shell: Json = {
    id,
    object: 'response',
    created_at: 1743082657,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: (body.reasoning as Json | undefined)?.effort ?? null, summary: null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1.0,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1.0,
    truncation: body.truncation ?? 'disabled',
    usage: null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  };
  const done = { ...shell, status: 'completed', output: [item], usage: USAGE };
  if (!body.stream) return Response.json(done);

  let seq = 0;
  const frames: Json[] = [];
  const push = (type: string, data: Json) => frames.push({ type, sequence_number: seq++, ...data });
  push('response.created', { response: shell });
  push('response.in_progress', { response: shell });
  const at = { item_id: item.id, output_index: 0 };
  if (item.type === 'function_call') {
    push('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } });
    const args = String(item.arguments);
    for (const frag of [args.slice(0, 4), args.slice(4, 12), args.slice(12)]) if (frag) push('response.function_call_arguments.delta', { ...at, delta: frag });
    push('response.function_call_arguments.done', { ...at, arguments: args });
  } else {
    const text = textOf(item.content);
    push('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    push('response.content_part.added', { ...at, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    for (const w of text.match(/\S+\s*|\s+/g) ?? [text]) push('response.output_text.delta', { ...at, content_index: 0, delta: w });
    push('response.output_text.done', { ...at, content_index: 0, text });
    push('response.content_part.done', { ...at, content_index: 0, part: { type: 'output_text', text, annotations: [] } });
  }
  push('response.output_item.done', { output_index: 0, item });
  if (!model.includes('cut')) push('response.completed', { response: done });
  const enc = new TextEncoder();
  const slow = model.includes('slow');
  const stream = new ReadableStream<Uint8Array>({
    async start(c) {
      for (const f of frames) {
        c.enqueue(enc.encode(`event: ${String(f.type)}\ndata: ${JSON.stringify(f)}\n\n`));
        if (slow) await Bun.sleep(200);
      }
      c.close();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
}
