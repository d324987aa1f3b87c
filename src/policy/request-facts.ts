import type { AnthropicMessagesRequest } from '../wire/anthropic.ts';
import type { OpenAIChatRequest, OpenAIEmbeddingsRequest } from '../wire/openai.ts';
import { inputItems, type ResponsesInputPart, type ResponsesRequest } from '../wire/responses.ts';
import { countPii, emptyPiiCounts, type PiiCounts } from './pii.ts';
import { COMPLETIONS_DEFAULT_MAX_TOKENS, promptList, type OpenAICompletionsRequest } from '../wire/completions.ts';

/** What the policy input needs from a request body, gathered in one walk. */
export interface RequestFacts {
  /** Characters of all text content, tool definitions included. */
  chars: number;
  /** Token ids sent as token-array embeddings input. */
  tokenIds: number;
  messageCount: number;
  imageCount: number;
  toolNames: string[];
  /**
   * Tools the provider runs or defines, not the client: Anthropic typed tools by their `type`
   * (`web_search_20250305`, `bash_20250124`…), `mcp_servers`, OpenAI `web_search_options`.
   */
  serverTools: string[];
  maxTokens: number | null;
  stream: boolean;
  pii: PiiCounts;
}

class Collector {
  chars = 0;
  tokenIds = 0;
  images = 0;
  readonly pii = emptyPiiCounts();

  /** Prompt text: counted and scanned for PII. */
  text(s: string | null | undefined): void {
    if (!s) return;
    this.chars += s.length;
    countPii(s, this.pii);
  }

  /** Tool definitions: they cost tokens but are written by the developer, not the user. */
  definition(s: string | undefined): void {
    if (s) this.chars += s.length;
  }

  json(v: unknown): void {
    if (v !== undefined) this.text(typeof v === 'string' ? v : JSON.stringify(v));
  }
}

type OpenAIContent = OpenAIChatRequest['messages'][number]['content'];

function openaiContent(c: Collector, content: OpenAIContent): void {
  if (typeof content === 'string' || content == null) return c.text(content);
  for (const part of content) {
    if (part.type === 'text') c.text(part.text);
    else if (part.type === 'refusal') c.text(part.refusal);
    else if (part.type === 'image_url') c.images++;
  }
}

function openaiChat(body: OpenAIChatRequest): RequestFacts {
  const c = new Collector();
  for (const m of body.messages) {
    openaiContent(c, m.content);
    if (m.role === 'assistant') {
      for (const call of m.tool_calls ?? []) c.text(call.function.arguments);
      c.text(m.reasoning_content);
    }
  }
  const tools = body.tools ?? [];
  for (const t of tools) {
    c.definition(t.function.name);
    c.definition(t.function.description);
    if (t.function.parameters) c.definition(JSON.stringify(t.function.parameters));
  }
  return {
    ...totals(c),
    messageCount: body.messages.length,
    toolNames: tools.map((t) => t.function.name),
    serverTools: present(body.web_search_options) ? ['web_search_options'] : [],
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? null,
    stream: body.stream === true,
  };
}

type AnthropicBlock = Exclude<AnthropicMessagesRequest['messages'][number]['content'], string>[number];

function anthropicBlock(c: Collector, block: AnthropicBlock): void {
  // Blocks are a loose union (unknown server-tool blocks included); narrow on the fields each type has.
  if (block.type === 'text' && 'text' in block && typeof block.text === 'string') c.text(block.text);
  else if (block.type === 'image') c.images++;
  else if (block.type === 'tool_use' && 'input' in block) c.json(block.input);
  else if (block.type === 'thinking' && 'thinking' in block && typeof block.thinking === 'string') c.text(block.thinking);
  else if (block.type === 'tool_result' && 'content' in block) {
    const content: unknown = block.content;
    if (typeof content === 'string') c.text(content);
    else if (Array.isArray(content)) for (const inner of content as AnthropicBlock[]) anthropicBlock(c, inner);
  }
}

function anthropicMessages(body: AnthropicMessagesRequest): RequestFacts {
  const c = new Collector();
  if (typeof body.system === 'string') c.text(body.system);
  else for (const b of body.system ?? []) c.text(b.text);
  for (const m of body.messages) {
    if (typeof m.content === 'string') c.text(m.content);
    else for (const block of m.content) anthropicBlock(c, block);
  }
  const tools = body.tools ?? [];
  for (const t of tools) {
    c.definition(t.name);
    c.definition(t.description);
    if (t.input_schema) c.definition(JSON.stringify(t.input_schema));
  }
  return {
    ...totals(c),
    messageCount: body.messages.length,
    toolNames: tools.map((t) => t.name),
    serverTools: [...new Set([...tools.flatMap((t) => (t.type && t.type !== 'custom' ? [t.type] : [])), ...(present(body.mcp_servers) ? ['mcp_servers'] : [])])],
    maxTokens: body.max_tokens,
    stream: body.stream === true,
  };
}

function responsesParts(c: Collector, content: string | ResponsesInputPart[]): void {
  if (typeof content === 'string') return c.text(content);
  for (const part of content) {
    if (part.type === 'input_text' || part.type === 'output_text') c.text(part.text);
    else if (part.type === 'refusal') c.text(part.refusal);
    else if (part.type === 'input_image') c.images++;
  }
}

/** Built-in tools (web_search, file_search, mcp…) are server tools; function tools are the client's. */
function responses(body: ResponsesRequest): RequestFacts {
  const c = new Collector();
  c.text(body.instructions);
  const items = inputItems(body.input);
  for (const item of items) {
    if ('role' in item && 'content' in item) responsesParts(c, item.content as string | ResponsesInputPart[]);
    else if (item.type === 'function_call' && 'arguments' in item) c.text(item.arguments as string);
    else if (item.type === 'function_call_output' && 'output' in item) responsesParts(c, item.output as string | ResponsesInputPart[]);
    else if (item.type === 'reasoning' && 'summary' in item) for (const s of (item.summary as { text: string }[] | undefined) ?? []) c.text(s.text);
  }
  const tools = body.tools ?? [];
  const fns = tools.flatMap((t) => (t.type === 'function' && 'name' in t ? [t as { name: string; description?: string | null; parameters?: unknown }] : []));
  for (const t of fns) {
    c.definition(t.name);
    c.definition(t.description ?? undefined);
    if (t.parameters) c.definition(JSON.stringify(t.parameters));
  }
  return {
    ...totals(c),
    messageCount: items.length,
    toolNames: fns.map((t) => t.name),
    serverTools: [...new Set(tools.flatMap((t) => (t.type !== 'function' ? [t.type] : [])))],
    maxTokens: body.max_output_tokens ?? null,
    stream: body.stream === true,
  };
}

function embeddings(body: OpenAIEmbeddingsRequest): RequestFacts {
  const c = new Collector();
  const input = body.input;
  let count = 1;
  if (typeof input === 'string') c.text(input);
  else {
    count = input.length;
    for (const item of input) {
      if (typeof item === 'string') c.text(item);
      else if (typeof item === 'number') c.tokenIds++;
      else c.tokenIds += item.length;
    }
    // An array of token ids is one input, not many.
    if (typeof input[0] === 'number') count = 1;
  }
  return { ...totals(c), messageCount: count, toolNames: [], serverTools: [], maxTokens: null, stream: false };
}

function completions(body: OpenAICompletionsRequest): RequestFacts {
  const c = new Collector();
  const prompts = promptList(body.prompt);
  for (const p of prompts) {
    if (typeof p === 'string') c.text(p);
    else c.tokenIds += p.length;
  }
  c.text(body.suffix);
  return { ...totals(c), messageCount: prompts.length, toolNames: [], serverTools: [], maxTokens: body.max_tokens ?? COMPLETIONS_DEFAULT_MAX_TOKENS, stream: body.stream === true };
}

/** A field the client set to something (an empty list or null switches nothing on). */
const present = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

function totals(c: Collector): Pick<RequestFacts, 'chars' | 'tokenIds' | 'imageCount' | 'pii'> {
  return { chars: c.chars, tokenIds: c.tokenIds, imageCount: c.images, pii: c.pii };
}

export type RequestBody =
  | { endpoint: 'chat.completions'; body: OpenAIChatRequest }
  | { endpoint: 'messages'; body: AnthropicMessagesRequest }
  | { endpoint: 'embeddings'; body: OpenAIEmbeddingsRequest }
  | { endpoint: 'completions'; body: OpenAICompletionsRequest }
  | { endpoint: 'responses'; body: ResponsesRequest };

export function requestFacts(req: RequestBody): RequestFacts {
  switch (req.endpoint) {
    case 'chat.completions':
      return openaiChat(req.body);
    case 'messages':
      return anthropicMessages(req.body);
    case 'embeddings':
      return embeddings(req.body);
    case 'completions':
      return completions(req.body);
    case 'responses':
      return responses(req.body);
  }
}
