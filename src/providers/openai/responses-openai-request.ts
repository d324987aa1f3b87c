import { GatewayError } from '../../lib/errors.ts';
import type { ChatMessage, ContentPart, OpenAIChatRequest } from '../../wire/openai.ts';
import { inputItems, type ResponsesInputItem, type ResponsesInputPart, type ResponsesRequest } from '../../wire/responses.ts';

type Json = Record<string, unknown>;

/** Fields the gateway itself acts on (state, policy) and never sends to a chat-completions upstream. */
const GATEWAY_FIELDS = new Set(['model', 'input', 'instructions', 'store', 'previous_response_id', 'stream', 'stream_options', 'metadata']);
/** Fields with a chat-completions equivalent, mapped below. */
const MAPPED = new Set(['tools', 'tool_choice', 'parallel_tool_calls', 'text', 'reasoning', 'max_output_tokens', 'temperature', 'top_p', 'user', 'seed']);
/** Hints: they do not change the answer, so they are dropped and reported. */
const HINTS = new Set(['truncation', 'include', 'service_tier', 'prompt_cache_key', 'safety_identifier', 'prompt_cache_retention', 'top_logprobs', 'background']);

const refuse = (message: string, param: string) => new GatewayError('invalid_request', message, { param });

/**
 * A Responses request as an OpenAI chat-completions request, for OpenAI-compatible servers and
 * (composed with the OpenAI→provider translators) every other wire. `previous_response_id` is
 * resolved by the gateway before this runs. Returns the hints it did not send.
 */
export interface ChatRequestOptions {
  /**
   * Reasoning items that carry the provider's signature (`encrypted_content`, issued by Anthropic
   * through openai-anthropic.ts) go back as the next assistant turn's `reasoning_content` and
   * `reasoning_signature`; otherwise reasoning items are dropped.
   */
  signatures?: boolean;
}

export function toChatRequest(req: ResponsesRequest, provider: string, opts: ChatRequestOptions = {}): { body: OpenAIChatRequest; dropped: string[] } {
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(req)) {
    if (v === undefined || v === null || GATEWAY_FIELDS.has(k) || MAPPED.has(k)) continue;
    if (HINTS.has(k)) {
      if (!(k === 'truncation' && v === 'disabled') && !(k === 'background' && v === false)) dropped.push(k);
      continue;
    }
    throw refuse(`The parameter '${k}' is not supported by provider '${provider}' (it has no Responses API; Tollgate translates to chat completions).`, k);
  }
  const messages: ChatMessage[] = [];
  if (req.instructions) messages.push({ role: 'system', content: req.instructions });
  inputItems(req.input).forEach((item, i) => addItem(messages, item, i, provider, dropped, opts));
  if (!messages.length) throw refuse('The request has no input.', 'input');

  const body: OpenAIChatRequest = { model: req.model, messages };
  if (req.stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  if (req.max_output_tokens != null) body.max_completion_tokens = req.max_output_tokens;
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.top_p = req.top_p;
  if (req.user !== undefined) body.user = req.user;
  if (req.parallel_tool_calls != null) body.parallel_tool_calls = req.parallel_tool_calls;
  if (req.tools?.length) body.tools = req.tools.map((t, i) => chatTool(t as Json, i, provider));
  if (req.tool_choice !== undefined) body.tool_choice = chatToolChoice(req.tool_choice as string | Json, provider);
  const effort = req.reasoning?.effort;
  if (effort && effort !== 'none') body.reasoning_effort = effort;
  if (req.reasoning?.summary) dropped.push('reasoning.summary');
  const format = req.text?.format;
  if (format?.type === 'json_object') body.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    const f = format as Json;
    body.response_format = { type: 'json_schema', json_schema: { name: String(f.name), schema: f.schema as Json, ...(f.description ? { description: String(f.description) } : {}), ...(f.strict != null ? { strict: f.strict as boolean } : {}) } };
  }
  if (req.text?.verbosity) dropped.push('text.verbosity');
  return { body, dropped: [...new Set(dropped)] };
}

function chatTool(t: Json, i: number, provider: string): NonNullable<OpenAIChatRequest['tools']>[number] {
  if (t.type !== 'function') {
    throw refuse(`The built-in tool '${String(t.type)}' is only available where the provider has it natively (OpenAI or Azure); provider '${provider}' does not.`, `tools[${i}]`);
  }
  const fn: Json = { name: t.name };
  if (t.description != null) fn.description = t.description;
  if (t.parameters != null) fn.parameters = t.parameters;
  if (t.strict != null) fn.strict = t.strict;
  return { type: 'function', function: fn as { name: string } };
}

function chatToolChoice(c: string | Json, provider: string): NonNullable<OpenAIChatRequest['tool_choice']> {
  if (typeof c === 'string') return c as 'none' | 'auto' | 'required';
  if (c.type === 'function' && typeof c.name === 'string') return { type: 'function', function: { name: c.name } };
  throw refuse(`The tool_choice '${String(c.type)}' names a built-in tool, which provider '${provider}' does not have.`, 'tool_choice');
}

function chatParts(content: string | ResponsesInputPart[], param: string, provider: string): string | ContentPart[] {
  if (typeof content === 'string') return content;
  return content.map((p, j): ContentPart => {
    const part = p as Json;
    switch (p.type) {
      case 'input_text':
      case 'output_text':
        return { type: 'text', text: String(part.text) };
      case 'refusal':
        return { type: 'text', text: String(part.refusal) };
      case 'input_image':
        if (typeof part.image_url !== 'string') throw refuse(`Images by file_id are not supported by provider '${provider}'; send image_url (a URL or data URL).`, `${param}[${j}]`);
        return { type: 'image_url', image_url: { url: part.image_url, ...(part.detail ? { detail: part.detail as 'auto' } : {}) } };
      case 'input_file': {
        const file: Json = {};
        for (const k of ['file_data', 'file_id', 'filename'] as const) if (part[k] != null) file[k] = part[k];
        if (part.file_url != null) throw refuse(`Files by file_url are not supported by provider '${provider}'; send file_data.`, `${param}[${j}]`);
        return { type: 'file', file };
      }
    }
  });
}

/** Text of a tool output (chat's tool messages take text parts only). */
function outputText(output: string | ResponsesInputPart[]): string {
  if (typeof output === 'string') return output;
  return output.map((p) => ('text' in p && typeof p.text === 'string' ? p.text : '')).join('');
}

function addItem(messages: ChatMessage[], item: ResponsesInputItem, i: number, provider: string, dropped: string[], opts: ChatRequestOptions): void {
  const o = item as Json;
  const param = `input[${i}]`;
  if ('role' in o && (o.type === undefined || o.type === 'message')) {
    const role = o.role as 'user' | 'assistant' | 'system' | 'developer';
    const content = chatParts(o.content as string | ResponsesInputPart[], `${param}.content`, provider);
    if (role === 'assistant') {
      const text = typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : '')).join('');
      messages.push({ role: 'assistant', content: text });
    } else if (role === 'user') messages.push({ role, content });
    else messages.push({ role, content: typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : '')).join('') });
    return;
  }
  switch (o.type) {
    case 'function_call': {
      const call = { id: String(o.call_id), type: 'function' as const, function: { name: String(o.name), arguments: String(o.arguments) } };
      const last = messages.at(-1);
      // Parallel calls arrive as consecutive items; chat puts them on one assistant message.
      if (last?.role === 'assistant' && (last.tool_calls?.length || !last.content)) last.tool_calls = [...(last.tool_calls ?? []), call];
      else if (last?.role === 'assistant') last.tool_calls = [call];
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      return;
    }
    case 'function_call_output':
      messages.push({ role: 'tool', tool_call_id: String(o.call_id), content: outputText(o.output as string | ResponsesInputPart[]) });
      return;
    case 'reasoning':
      if (opts.signatures && typeof o.encrypted_content === 'string' && o.encrypted_content) {
        const text = ((o.summary as { text: string }[] | undefined) ?? []).map((s) => s.text).join('');
        // An assistant turn of its own; the call or text after it joins it (or merges into it upstream).
        messages.push({ role: 'assistant', content: null, reasoning_content: text, reasoning_signature: o.encrypted_content } as ChatMessage);
        return;
      }
      // Reasoning state is the provider's own (encrypted content, signatures); another wire cannot take it back.
      dropped.push('input.reasoning');
      return;
    default:
      throw refuse(`The input item type '${String(o.type)}' is only available where the provider has a Responses API natively (OpenAI or Azure); provider '${provider}' does not.`, `${param}.type`);
  }
}
