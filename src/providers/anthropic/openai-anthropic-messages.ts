import { GatewayError } from '../../lib/errors.ts';
import type { ChatMessage, ContentPart } from '../../wire/openai.ts';
import { cacheControlOf } from '../cache-control.ts';

/** One Anthropic content block as sent upstream. */
export type Block = Record<string, unknown>;
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

/**
 * OpenAI `messages` → Anthropic `system` + `messages`.
 *
 * System and developer messages, wherever they appear, become the top-level `system` blocks in
 * order. Tool results become `tool_result` blocks in a user turn, and consecutive same-role turns
 * are merged because Anthropic requires user/assistant alternation. Assistant `reasoning_content`
 * from an earlier turn is dropped (it is model output, and Anthropic only accepts thinking back
 * with the signature it issued) unless it comes with that signature as `reasoning_signature`
 * (what openai-anthropic.ts hands out): then it is the turn's thinking block again.
 * `cache_control` on a content part or tool call (the LiteLLM/OpenRouter convention) stays on
 * the block it becomes: Anthropic's own breakpoint.
 */
export function toAnthropicMessages(messages: ChatMessage[], provider: string, hint: (name: string) => void = () => {}): { system: Block[]; messages: AnthropicMessage[] } {
  const system: Block[] = [];
  const out: AnthropicMessage[] = [];
  const push = (role: AnthropicMessage['role'], content: Block[]) => {
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...content);
    else out.push({ role, content });
  };

  messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if ('name' in m && m.name !== undefined && m.role !== 'function') throw unsupported(`${at}.name`, provider);
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...contentBlocks(m.content, `${at}.content`, provider, ['text'], hint));
        return;
      case 'user':
        push('user', contentBlocks(m.content, `${at}.content`, provider, ['text', 'image_url', 'file'], hint));
        return;
      case 'tool': {
        const content = typeof m.content === 'string' ? m.content : contentBlocks(m.content, `${at}.content`, provider, ['text', 'image_url'], hint);
        push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id, content }]);
        return;
      }
      case 'assistant': {
        const blocks = assistantBlocks(m, at, provider);
        // An assistant turn with neither text nor tool calls carries nothing, and Anthropic rejects empty turns.
        if (blocks.length) push('assistant', blocks);
        return;
      }
      case 'function':
        throw unsupported(`${at}.role`, provider);
    }
  });
  return { system, messages: out };
}

type AssistantMessage = Extract<ChatMessage, { role: 'assistant' }>;

function assistantBlocks(m: AssistantMessage, at: string, provider: string): Block[] {
  const blocks: Block[] = [];
  const signed = m as { reasoning_content?: unknown; reasoning_signature?: unknown };
  if (typeof signed.reasoning_content === 'string' && typeof signed.reasoning_signature === 'string' && signed.reasoning_signature) {
    blocks.push({ type: 'thinking', thinking: signed.reasoning_content, signature: signed.reasoning_signature });
  }
  if (typeof m.content === 'string') {
    if (m.content) blocks.push({ type: 'text', text: m.content });
  } else if (Array.isArray(m.content)) {
    m.content.forEach((p, j) => {
      const text = p.type === 'text' ? p.text : p.type === 'refusal' ? p.refusal : undefined;
      if (text === undefined) throw unsupported(`${at}.content[${j}].type`, provider);
      if (text) blocks.push({ type: 'text', text, ...markerOf(p, `${at}.content[${j}]`) });
    });
  }
  if (m.refusal) blocks.push({ type: 'text', text: m.refusal });
  m.tool_calls?.forEach((tc, k) => {
    blocks.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: parseArguments(tc.function.arguments, `${at}.tool_calls[${k}].function.arguments`), ...markerOf(tc, `${at}.tool_calls[${k}]`) });
  });
  return blocks;
}

/** Tool-call arguments from history must be a JSON object: Anthropic stores `input` as one. */
function parseArguments(args: string, param: string): unknown {
  if (args.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(args);
  } catch {
    throw new GatewayError('invalid_request', `${param} is not valid JSON`, { param });
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new GatewayError('invalid_request', `${param} must be a JSON object`, { param });
  return v;
}

type PartType = ContentPart['type'];

function contentBlocks(content: string | ContentPart[], at: string, provider: string, allowed: PartType[], hint: (name: string) => void): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((p, j) => ({ ...contentBlock(p, `${at}[${j}]`, provider, allowed, hint), ...markerOf(p, `${at}[${j}]`) }));
}

/** The part's checked `cache_control`, as the block's own. */
export function markerOf(holder: unknown, at: string): Block {
  const cc = cacheControlOf(holder, `${at}.cache_control`);
  return cc ? { cache_control: cc } : {};
}

function contentBlock(p: ContentPart, here: string, provider: string, allowed: PartType[], hint: (name: string) => void): Block {
  if (!allowed.includes(p.type)) throw unsupported(`${here}.type`, provider);
  if (p.type === 'text') return { type: 'text', text: p.text };
  if (p.type === 'image_url') {
    // Anthropic has no resolution knob: `detail` is a hint that cannot change what is asked.
    if (p.image_url.detail && p.image_url.detail !== 'auto') hint('image_url.detail');
    return imageBlock(p.image_url, here);
  }
  if (p.type === 'file') return documentBlock(p.file, here, provider);
  throw unsupported(`${here}.type`, provider);
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function imageBlock(image: { url: string }, at: string): Block {
  const m = DATA_URL.exec(image.url);
  if (m) return { type: 'image', source: { type: 'base64', media_type: m[1], data: m[2] } };
  if (/^https?:\/\//i.test(image.url)) return { type: 'image', source: { type: 'url', url: image.url } };
  throw new GatewayError('invalid_request', `${at}.image_url.url must be an http(s) URL or a base64 data: URL`, { param: `${at}.image_url.url` });
}

/** Inline PDFs become document blocks; uploaded file ids mean nothing to Anthropic. */
function documentBlock(file: Record<string, unknown>, at: string, provider: string): Block {
  const data = typeof file.file_data === 'string' ? DATA_URL.exec(file.file_data) : null;
  if (!data || data[1] !== 'application/pdf' || file.file_id !== undefined) throw unsupported(`${at}.file`, provider);
  const block: Block = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: data[2] } };
  if (typeof file.filename === 'string') block.title = file.filename;
  return block;
}

export function unsupported(param: string, provider: string): GatewayError {
  return new GatewayError('invalid_request', `Parameter ${param} is not supported by ${provider}`, { param });
}
