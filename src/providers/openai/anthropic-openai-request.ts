import { GatewayError } from '../../lib/errors.ts';
import type { AnthropicContentBlock, AnthropicMessagesRequest } from '../../wire/anthropic.ts';

/**
 * Anthropic Messages request → OpenAI chat request.
 *
 * Choices made where the two APIs differ (docs/providers.md has the table):
 * - `thinking` enabled with a budget, and `output_config.effort`, become `reasoning_effort`
 *   (effort wins; a budget maps to low ≤ 2048 < medium ≤ 8192 < high). `adaptive` thinking is
 *   what OpenAI reasoning models do by themselves. Thinking blocks in the history are dropped
 *   silently: they are earlier model output, not a parameter, and an OpenAI model cannot read
 *   their signatures anyway. That is also what `context_management`'s clear-thinking edit asks.
 * - `output_config.format` (json_schema) becomes `response_format` json_schema, strict.
 * - `top_k` is sent as `top_k`: OpenAI-compatible servers read it, and the Gemini and Bedrock
 *   translators behind this one map it; api.openai.com itself refuses it by name.
 * - `service_tier` auto → auto, standard_only → default.
 * - Hints that cannot change the answer are dropped and reported (UpstreamCall.dropped):
 *   `cache_control` (top level and on blocks; OpenAI caches prompts by itself),
 *   `context_management`, `output_config.task_budget`, `tools[].eager_input_streaming`.
 * - `role: "system"` messages inside `messages` stay where they are, as OpenAI system messages.
 * - A `tool_result` with `is_error: true` is sent as a tool message whose text starts with
 *   "Error: ", since OpenAI tool messages have no error flag.
 * - A multi-block `system` is joined with newlines into one system message.
 * - Server tools (web search, code execution, …) and their result blocks are 400s naming them.
 */
type Json = Record<string, unknown>;

const HANDLED = new Set([
  'model', 'max_tokens', 'messages', 'system', 'stream', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'tools', 'tool_choice', 'metadata',
  'thinking', 'output_config', 'service_tier', 'cache_control', 'context_management',
]);
const TOOL_KEYS = new Set(['name', 'description', 'input_schema', 'type', 'cache_control', 'strict', 'eager_input_streaming']);
const OUTPUT_CONFIG_KEYS = new Set(['effort', 'format', 'task_budget']);
const SERVICE_TIER: Record<string, string> = { auto: 'auto', standard_only: 'default' };
/** OpenAI accepts at most four stop sequences. */
const MAX_STOP = 4;

export interface OpenAIRequestPlan {
  body: Json;
  /** Hints that were not sent (generic names, e.g. `tools.eager_input_streaming`). */
  dropped: string[];
}

export interface OpenAIRequestOptions {
  /**
   * Keep block-level `cache_control` markers on the OpenAI parts, system parts and tools (the
   * LiteLLM/OpenRouter convention), for a next translator that maps them (Bedrock's cachePoint).
   * Off for real OpenAI-wire upstreams, which refuse unknown part fields.
   */
  cacheMarkers?: boolean;
}

export function toOpenAIRequest(req: AnthropicMessagesRequest, provider: string, opts: OpenAIRequestOptions = {}): OpenAIRequestPlan {
  for (const [key, value] of Object.entries(req)) {
    if (value !== null && value !== undefined && !HANDLED.has(key)) throw unsupported(key, provider);
  }
  const dropped = new Set<string>();
  const hint = (name: string) => dropped.add(name);
  const markers = opts.cacheMarkers === true;
  if (!markers && (req.cache_control != null || hasBlockCacheControl(req))) hint('cache_control');
  if (req.context_management != null) hint('context_management');
  const turns = markers && req.cache_control != null ? markLastBlock(req.messages, req.cache_control) : req.messages;
  const messages = [...systemMessages(req.system, markers), ...turns.flatMap((m, i) => toMessages(m, i, provider, markers))];
  const out: Json = { model: req.model, messages };
  out.max_tokens = req.max_tokens;
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.top_k !== undefined) out.top_k = req.top_k;
  if (req.stop_sequences?.length) {
    if (req.stop_sequences.length > MAX_STOP) throw new GatewayError('invalid_request', `stop_sequences may hold at most ${MAX_STOP} entries for ${provider}`, { param: 'stop_sequences' });
    out.stop = req.stop_sequences;
  }
  for (const [key, value] of Object.entries(req.metadata ?? {})) {
    if (value === null || value === undefined) continue;
    if (key !== 'user_id') throw unsupported(`metadata.${key}`, provider);
    out.user = value;
  }
  if (req.service_tier != null) {
    const tier = SERVICE_TIER[String(req.service_tier)];
    if (!tier) throw new GatewayError('invalid_request', `service_tier '${String(req.service_tier)}' is not supported by ${provider} (auto, standard_only)`, { param: 'service_tier' });
    out.service_tier = tier;
  }
  const effort = reasoningEffort(req, provider, hint);
  if (effort) out.reasoning_effort = effort;
  const format = responseFormat(req.output_config, provider);
  if (format) out.response_format = format;
  const tools = (req.tools ?? []).map((t, i) => toTool(t, i, provider, hint, markers));
  if (tools.length) out.tools = tools;
  const choice = req.tool_choice;
  if (choice) {
    // OpenAI refuses tool_choice and parallel_tool_calls without tools; with none, auto/none mean the same.
    if (tools.length || (choice.type !== 'auto' && choice.type !== 'none')) out.tool_choice = toolChoice(choice);
    if (choice.disable_parallel_tool_use && tools.length) out.parallel_tool_calls = false;
  }
  if (req.stream === true) {
    out.stream = true;
    // Always asked for: the ledger needs usage, and compose.ts relies on it for other wires.
    out.stream_options = { include_usage: true };
  }
  return { body: out, dropped: [...dropped] };
}

/** Budget thresholds for `thinking.budget_tokens` → `reasoning_effort`. */
const BUDGET_EFFORT: [number, string][] = [[2048, 'low'], [8192, 'medium']];

function reasoningEffort(req: AnthropicMessagesRequest, provider: string, hint: (name: string) => void): string | undefined {
  const oc = (req.output_config ?? {}) as Json;
  for (const key of Object.keys(oc)) if (oc[key] != null && !OUTPUT_CONFIG_KEYS.has(key)) throw unsupported(`output_config.${key}`, provider);
  if (oc.task_budget != null) hint('output_config.task_budget');
  if (oc.effort != null) return String(oc.effort);
  const thinking = req.thinking;
  if (thinking?.type !== 'enabled') return undefined;
  const budget = thinking.budget_tokens;
  if (budget === undefined) return 'medium';
  return BUDGET_EFFORT.find(([max]) => budget <= max)?.[1] ?? 'high';
}

function responseFormat(config: AnthropicMessagesRequest['output_config'], provider: string): Json | undefined {
  const format = (config as Json | undefined)?.format as Json | undefined | null;
  if (format == null) return undefined;
  if (format.type !== 'json_schema' || !format.schema || typeof format.schema !== 'object') throw unsupported('output_config.format', provider);
  return { type: 'json_schema', json_schema: { name: 'output', schema: format.schema, strict: true } };
}

/**
 * Top-level `cache_control` (Anthropic's automatic caching) puts the breakpoint on the last
 * block of the prompt; a wire that only knows block markers (Bedrock's cachePoint) gets it there.
 */
function markLastBlock(messages: AnthropicMessagesRequest['messages'], cc: unknown): AnthropicMessagesRequest['messages'] {
  const last = messages.at(-1);
  if (!last) return messages;
  const blocks = typeof last.content === 'string' ? [{ type: 'text' as const, text: last.content }] : last.content;
  const end = blocks.at(-1) as Json | undefined;
  if (!end || end.cache_control != null) return messages;
  const marked = { ...last, content: [...blocks.slice(0, -1), { ...end, cache_control: cc }] } as typeof last;
  return [...messages.slice(0, -1), marked];
}

function hasBlockCacheControl(req: AnthropicMessagesRequest): boolean {
  const marked = (blocks: unknown) => Array.isArray(blocks) && blocks.some((b: Json) => b?.cache_control != null);
  return marked(req.system) || marked(req.tools) || req.messages.some((m) => marked(m.content));
}

function systemMessages(system: AnthropicMessagesRequest['system'], markers: boolean): Json[] {
  if (system === undefined) return [];
  if (markers && typeof system !== 'string' && system.some((b) => b.cache_control != null)) {
    return [{ role: 'system', content: system.map((b) => ({ type: 'text', text: b.text, ...marker(b, markers) })) }];
  }
  const text = typeof system === 'string' ? system : system.map((b) => b.text).join('\n');
  return text ? [{ role: 'system', content: text }] : [];
}

/** The block's cache marker, when markers are kept. */
function marker(block: { cache_control?: unknown }, markers: boolean): Json {
  return markers && block.cache_control != null ? { cache_control: block.cache_control } : {};
}

type AnthropicMessage = AnthropicMessagesRequest['messages'][number];

function toMessages(m: AnthropicMessage, i: number, provider: string, markers: boolean): Json[] {
  if (m.role === 'system') return systemMessages(m.content as AnthropicMessagesRequest['system'], markers);
  if (typeof m.content === 'string') return [{ role: m.role, content: m.content }];
  return m.role === 'user' ? userMessages(m.content, i, provider, markers) : [assistantMessage(m.content, i, provider, markers)];
}

/** Tool results come first in an Anthropic user turn; each becomes its own OpenAI tool message. */
function userMessages(blocks: AnthropicContentBlock[], i: number, provider: string, markers: boolean): Json[] {
  const out: Json[] = [];
  const parts: Json[] = [];
  blocks.forEach((b, j) => {
    const at = `messages[${i}].content[${j}]`;
    const o = b as Json;
    if (b.type === 'text') parts.push({ type: 'text', text: o.text, ...marker(o, markers) });
    else if (b.type === 'image') parts.push({ ...imagePart(o, at), ...marker(o, markers) });
    else if (b.type === 'document') parts.push(filePart(o, at, provider));
    else if (b.type === 'tool_result') {
      const text = toolResultText(o, at, provider);
      const marked = marker(o, markers);
      out.push({ role: 'tool', tool_call_id: o.tool_use_id, content: marked.cache_control ? [{ type: 'text', text, ...marked }] : text });
    }
    else throw unsupported(`${at}.type`, provider);
  });
  if (parts.length) {
    const onlyText = parts.length === 1 && parts[0]!.type === 'text' && parts[0]!.cache_control === undefined;
    out.push({ role: 'user', content: onlyText ? parts[0]!.text : parts });
  }
  return out;
}

function assistantMessage(blocks: AnthropicContentBlock[], i: number, provider: string, markers: boolean): Json {
  const texts: Json[] = [];
  const toolCalls: Json[] = [];
  blocks.forEach((b, j) => {
    const o = b as Json;
    if (b.type === 'text') texts.push({ type: 'text', text: String(o.text), ...marker(o, markers) });
    else if (b.type === 'tool_use') toolCalls.push({ id: o.id, type: 'function', function: { name: o.name, arguments: JSON.stringify(o.input ?? {}) }, ...marker(o, markers) });
    else if (b.type !== 'thinking' && b.type !== 'redacted_thinking') throw unsupported(`messages[${i}].content[${j}].type`, provider);
  });
  // Marked text stays in parts so the marker reaches the next translator; else one string, as OpenAI clients send it.
  const content = texts.some((t) => t.cache_control) ? texts : texts.length ? texts.map((t) => t.text).join('') : null;
  const msg: Json = { role: 'assistant', content };
  if (toolCalls.length) msg.tool_calls = toolCalls;
  return msg;
}

function toolResultText(block: Json, at: string, provider: string): string {
  const c = block.content;
  let text = '';
  if (typeof c === 'string') text = c;
  else if (Array.isArray(c)) {
    text = c
      .map((p: Json, k) => {
        if (p.type !== 'text') throw unsupported(`${at}.content[${k}].type`, provider);
        return String(p.text);
      })
      .join('\n');
  }
  return block.is_error === true ? `Error: ${text}` : text;
}

function imagePart(block: Json, at: string): Json {
  const s = block.source as Json;
  if (s.type === 'base64') return { type: 'image_url', image_url: { url: `data:${String(s.media_type)};base64,${String(s.data)}` } };
  if (s.type === 'url') return { type: 'image_url', image_url: { url: s.url } };
  throw new GatewayError('invalid_request', `${at}.source.type must be base64 or url`, { param: `${at}.source.type` });
}

/** Base64 PDFs travel as OpenAI file parts; text, URL and file-id documents have no OpenAI form. */
function filePart(block: Json, at: string, provider: string): Json {
  const s = block.source as Json;
  if (s.type !== 'base64' || s.media_type !== 'application/pdf') throw unsupported(`${at}.source`, provider);
  const filename = typeof block.title === 'string' ? block.title : 'document.pdf';
  return { type: 'file', file: { filename, file_data: `data:application/pdf;base64,${String(s.data)}` } };
}

type AnthropicTool = NonNullable<AnthropicMessagesRequest['tools']>[number];

function toTool(t: AnthropicTool, i: number, provider: string, hint: (name: string) => void, markers: boolean): Json {
  if (t.type !== undefined && t.type !== 'custom') throw unsupported(`tools[${i}].type`, provider);
  for (const [key, value] of Object.entries(t)) {
    if (value !== undefined && !TOOL_KEYS.has(key)) throw unsupported(`tools[${i}].${key}`, provider);
  }
  if (t.eager_input_streaming != null) hint('tools.eager_input_streaming');
  const fn: Json = { name: t.name, parameters: t.input_schema ?? { type: 'object', properties: {} } };
  if (t.description) fn.description = t.description;
  if (typeof t.strict === 'boolean') fn.strict = t.strict;
  return { type: 'function', function: fn, ...marker(t, markers) };
}

function toolChoice(c: NonNullable<AnthropicMessagesRequest['tool_choice']>): unknown {
  if (c.type === 'any') return 'required';
  if (c.type === 'tool') return { type: 'function', function: { name: c.name } };
  return c.type; // auto, none
}

export function unsupported(param: string, provider: string): GatewayError {
  return new GatewayError('invalid_request', `Parameter ${param} is not supported by ${provider}`, { param });
}
