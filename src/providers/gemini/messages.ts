import { GatewayError } from '../../lib/errors.ts';
import type { ChatMessage, ContentPart } from '../../wire/openai.ts';
import { audioPart, filePart, imagePart, type MediaPart } from './media.ts';
import { readToolCallId } from './tool-ids.ts';
import { ECHOED_KEYS } from '../echoed-keys.ts';

export type GeminiPart =
  | { text: string; thought?: true }
  | MediaPart
  | { functionCall: { name: string; args: Record<string, unknown>; id: string }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: Record<string, unknown>; id: string } };

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface ConvertedMessages {
  systemInstruction?: { parts: { text: string }[] };
  contents: GeminiContent[];
  /** The `detail` the images asked for, when they asked for one. */
  imageDetail?: 'low' | 'high';
}

/**
 * Google's documented stand-in signature for function calls Gemini 3 did not produce (history from
 * another provider, or ids not issued by us); without one, Gemini 3 rejects the turn.
 */
const FOREIGN_CALL_SIGNATURE = 'skip_thought_signature_validator';

/** The keys each role may carry; any other non-null key is a 400 naming it. */
const KNOWN: Record<string, readonly string[]> = {
  system: ['role', 'content'],
  developer: ['role', 'content'],
  user: ['role', 'content'],
  assistant: ['role', 'content', 'tool_calls', 'refusal', 'reasoning_content'],
  tool: ['role', 'content', 'tool_call_id'],
};

/**
 * OpenAI messages → Gemini `systemInstruction` + `contents`. System and developer messages are
 * gathered into the one system instruction Gemini has, wherever they stand. Tool results become
 * `functionResponse` parts; consecutive turns of one role are merged, which also puts the results
 * of parallel calls into one turn as Gemini requires.
 */
export function toGeminiContents(messages: ChatMessage[], model: string): ConvertedMessages {
  const system: { text: string }[] = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  const details = new Set<'low' | 'high'>();
  const signsCalls = /^(models\/)?gemini-([3-9]|\d\d)/.test(model);
  const push = (role: GeminiContent['role'], parts: GeminiPart[]) => {
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    const known = KNOWN[m.role];
    if (!known) throw new GatewayError('invalid_request', `Role '${m.role}' is not supported by Gemini; use tool messages`, { param: `${at}.role` });
    for (const [k, v] of Object.entries(m)) {
      if (v !== null && v !== undefined && !known.includes(k) && !ECHOED_KEYS.has(k)) {
        throw new GatewayError('invalid_request', `Parameter ${at}.${k} is not supported by Gemini`, { param: `${at}.${k}` });
      }
    }
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...texts(m.content, `${at}.content`).map((text) => ({ text })));
        return;
      case 'user': {
        const parts = userParts(m.content, `${at}.content`, details);
        if (parts.length === 0) throw new GatewayError('invalid_request', 'Gemini does not accept an empty user message', { param: `${at}.content` });
        push('user', parts);
        return;
      }
      case 'assistant': {
        const parts: GeminiPart[] = [];
        // Gemini disregards earlier turns' thoughts, but accepts them marked as such.
        if (m.reasoning_content) parts.push({ text: m.reasoning_content, thought: true });
        const said = m.content == null ? [] : texts(m.content, `${at}.content`);
        if (said.length === 0 && m.refusal) said.push(m.refusal);
        parts.push(...said.map((text) => ({ text })));
        (m.tool_calls ?? []).forEach((tc, j) => {
          const { id, signature } = readToolCallId(tc.id);
          toolNames.set(tc.id, tc.function.name);
          const args = parseArguments(tc.function.arguments, `${at}.tool_calls[${j}].function.arguments`);
          const thoughtSignature = signature ?? (j === 0 && signsCalls ? FOREIGN_CALL_SIGNATURE : undefined);
          parts.push({ functionCall: { name: tc.function.name, args, id }, ...(thoughtSignature ? { thoughtSignature } : {}) });
        });
        if (parts.length > 0) push('model', parts);
        return;
      }
      case 'tool': {
        const name = toolNames.get(m.tool_call_id);
        if (!name) throw new GatewayError('invalid_request', `No earlier assistant tool call has id '${m.tool_call_id}'`, { param: `${at}.tool_call_id` });
        const text = texts(m.content, `${at}.content`).join('');
        push('user', [{ functionResponse: { name, response: { result: parseResult(text) }, id: readToolCallId(m.tool_call_id).id } }]);
        return;
      }
    }
  });

  if (contents.length === 0) throw new GatewayError('invalid_request', 'Gemini needs at least one user or assistant message', { param: 'messages' });
  if (details.size > 1) throw new GatewayError('invalid_request', "Gemini applies one media resolution to a whole request; images ask for both 'low' and 'high' detail", { param: 'messages' });
  return {
    contents,
    ...(system.length ? { systemInstruction: { parts: system } } : {}),
    ...(details.size ? { imageDetail: [...details][0] } : {}),
  };
}

/** Text-only content (system, assistant, tool): strings, text parts and assistant refusals. */
function texts(content: string | ContentPart[], param: string): string[] {
  if (typeof content === 'string') return content ? [content] : [];
  return content.flatMap((p, j) => {
    if (p.type === 'text') return p.text ? [p.text] : [];
    if (p.type === 'refusal') return p.refusal ? [p.refusal] : [];
    throw new GatewayError('invalid_request', `Content parts of type '${p.type}' are only supported in user messages`, { param: `${param}[${j}]` });
  });
}

function userParts(content: string | ContentPart[], param: string, details: Set<'low' | 'high'>): GeminiPart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  return content.flatMap((p, j): GeminiPart[] => {
    const at = `${param}[${j}]`;
    switch (p.type) {
      case 'text':
        return p.text ? [{ text: p.text }] : [];
      case 'image_url': {
        const detail = p.image_url.detail;
        if (detail === 'low' || detail === 'high') details.add(detail);
        return [imagePart(p.image_url.url, `${at}.image_url.url`)];
      }
      case 'input_audio':
        return [audioPart(p, at)];
      case 'file':
        return [filePart(p, at)];
      case 'refusal':
        throw new GatewayError('invalid_request', 'Refusal parts belong to assistant messages', { param: at });
    }
  });
}

/** Tool-call arguments must be a JSON object for Gemini's `functionCall.args`. */
function parseArguments(s: string, param: string): Record<string, unknown> {
  if (s.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    throw new GatewayError('invalid_request', 'Tool-call arguments must be valid JSON', { param });
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new GatewayError('invalid_request', 'Tool-call arguments must be a JSON object', { param });
  return v as Record<string, unknown>;
}

/** A tool result that is JSON is passed as data, anything else as the string it is. */
function parseResult(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
