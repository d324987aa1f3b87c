import { GatewayError } from '../../lib/errors.ts';
import type { ChatMessage, ContentPart } from '../../wire/openai.ts';
import { ECHOED_KEYS } from '../echoed-keys.ts';
import { cacheControlOf, cachePointOf } from '../cache-control.ts';

/** Converse content blocks, as far as this gateway writes them. */
export type ConverseBlock =
  | { text: string }
  | { image: { format: ImageFormat; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: { text: string }[] } }
  | CachePoint;
export type ConverseMessage = { role: 'user' | 'assistant'; content: ConverseBlock[] };
export type SystemBlock = { text: string } | CachePoint;

/** Converse's prompt-cache breakpoint: everything before it is cached (for `ttl`, else 5 minutes). */
export type CachePoint = ReturnType<typeof cachePointOf>;

export interface MessageOptions {
  /** Names a dropped hint (reported to the caller). */
  hint?: (name: string) => void;
  /** The model caches prompts (Claude, Nova): `cache_control` markers on parts become cachePoint blocks; else they are dropped hints. */
  caching?: boolean;
}
type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/**
 * Message fields Converse can carry, per role; others are refused by name. That includes
 * participant `name`s, which Converse has no place for, and `audio` / `function_call`.
 */
const MESSAGE_KEYS: Record<string, Set<string>> = {
  system: new Set(['role', 'content']),
  developer: new Set(['role', 'content']),
  user: new Set(['role', 'content']),
  assistant: new Set(['role', 'content', 'tool_calls', 'refusal', 'reasoning_content']),
  tool: new Set(['role', 'content', 'tool_call_id']),
  function: new Set(['role', 'content', 'name']),
};

const IMAGE_FORMATS: Record<string, ImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/**
 * OpenAI messages → Converse `system` + `messages`. System and developer messages are hoisted
 * into `system` (Converse has no system role in the turn list); tool results become user turns;
 * consecutive turns of one role are merged because Converse requires strict alternation.
 *
 * An assistant's `reasoning_content` echoed back in history is not forwarded: Converse only
 * accepts prior reasoning with the provider's signature, which OpenAI's schema cannot carry.
 */
export function toConverseMessages(messages: ChatMessage[], provider: string, opts: MessageOptions = {}): { system: SystemBlock[]; messages: ConverseMessage[] } {
  const hint = opts.hint ?? (() => {});
  /** A cachePoint (with the marker's TTL) after a part marked with `cache_control` (the OpenAI-side convention), when the model caches. */
  const cacheAfter = (part: unknown, param: string): CachePoint[] => {
    const cc = cacheControlOf(part, `${param}.cache_control`);
    if (!cc) return [];
    if (opts.caching) return [cachePointOf(cc)];
    hint('cache_control');
    return [];
  };
  const system: SystemBlock[] = [];
  const out: ConverseMessage[] = [];
  const push = (role: ConverseMessage['role'], content: ConverseBlock[]) => {
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...content);
    else out.push({ role, content });
  };

  messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    for (const [key, value] of Object.entries(m)) {
      if (value !== undefined && value !== null && !MESSAGE_KEYS[m.role]?.has(key) && !ECHOED_KEYS.has(key)) throw unsupported(provider, `${at}.${key}`);
    }
    switch (m.role) {
      case 'system':
      case 'developer':
        textsOnly(m.content, `${at}.content`, provider).forEach((text, j) => {
          if (text) system.push({ text });
          if (Array.isArray(m.content)) system.push(...cacheAfter(m.content[j], `${at}.content[${j}]`));
        });
        return;
      case 'user':
        push('user', userBlocks(m.content, `${at}.content`, provider, hint, cacheAfter));
        return;
      case 'assistant': {
        const blocks: ConverseBlock[] = [];
        // A refusal was the assistant's visible answer; replay it as text so the turn is not empty.
        const texts = m.content != null ? textsOnly(m.content, `${at}.content`, provider) : m.refusal ? [m.refusal] : [];
        texts.forEach((text, j) => {
          if (text) blocks.push({ text });
          if (Array.isArray(m.content)) blocks.push(...cacheAfter(m.content[j], `${at}.content[${j}]`));
        });
        m.tool_calls?.forEach((tc, k) => {
          blocks.push({ toolUse: { toolUseId: tc.id, name: tc.function.name, input: parseArguments(tc.function.arguments, `${at}.tool_calls[${k}].function.arguments`) } });
          blocks.push(...cacheAfter(tc, `${at}.tool_calls[${k}]`));
        });
        push('assistant', blocks);
        return;
      }
      case 'tool': {
        const text = textsOnly(m.content, `${at}.content`, provider).join('');
        const marked = Array.isArray(m.content) ? m.content.flatMap((p, j) => cacheAfter(p, `${at}.content[${j}]`)).slice(-1) : [];
        push('user', [{ toolResult: { toolUseId: m.tool_call_id, content: [{ text }] } }, ...marked]);
        return;
      }
      case 'function':
        throw new GatewayError('invalid_request', `The deprecated 'function' role is not supported by ${provider}; use tool messages.`, { param: `${at}.role` });
    }
  });
  return { system, messages: out };
}

function userBlocks(content: string | ContentPart[], at: string, provider: string, hint: (name: string) => void, cacheAfter: (part: unknown, param: string) => CachePoint[]): ConverseBlock[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.flatMap((p, j): ConverseBlock[] => {
    const here = `${at}[${j}]`;
    if (p.type === 'text') return [{ text: p.text }, ...cacheAfter(p, here)];
    if (p.type === 'image_url') {
      // Converse has no resolution knob: `detail` is a hint that cannot change what is asked.
      if (p.image_url.detail && p.image_url.detail !== 'auto') hint('image_url.detail');
      return [{ image: imageFromUrl(p.image_url.url, `${here}.image_url.url`, provider) }, ...cacheAfter(p, here)];
    }
    throw new GatewayError('invalid_request', `Content parts of type '${p.type}' are not supported by ${provider}`, { param: here });
  });
}

/** Only inline `data:` images: Converse cannot fetch URLs, and the gateway will not fetch a caller-chosen URL for it. */
function imageFromUrl(url: string, at: string, provider: string): { format: ImageFormat; source: { bytes: string } } {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!m) {
    throw new GatewayError('invalid_request', `${provider} only accepts images inline as base64 data: URLs, not links.`, { param: at });
  }
  const format = IMAGE_FORMATS[m[1]!.toLowerCase()];
  if (!format) throw new GatewayError('invalid_request', `Image type '${m[1]}' is not supported by ${provider} (png, jpeg, gif, webp).`, { param: at });
  if (!m[2]) throw new GatewayError('invalid_request', 'The image data is empty.', { param: at });
  return { format, source: { bytes: m[2] } };
}

function textsOnly(content: string | ContentPart[], at: string, provider: string): string[] {
  if (typeof content === 'string') return [content];
  return content.map((p, j) => {
    if (p.type === 'text') return p.text;
    if (p.type === 'refusal') return p.refusal;
    throw new GatewayError('invalid_request', `Content parts of type '${p.type}' are not supported here by ${provider}`, { param: `${at}[${j}]` });
  });
}

function parseArguments(args: string, at: string): unknown {
  if (args.trim() === '') return {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    throw new GatewayError('invalid_request', 'Tool call arguments must be valid JSON.', { param: at });
  }
}

function unsupported(provider: string, param: string): GatewayError {
  return new GatewayError('invalid_request', `Parameter ${param} is not supported by ${provider}`, { param });
}

/** True when the conversation already holds tool calls or results (Converse then needs toolConfig). */
export function hasToolHistory(messages: ConverseMessage[]): boolean {
  return messages.some((m) => m.content.some((b) => 'toolUse' in b || 'toolResult' in b));
}
