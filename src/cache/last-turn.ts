import type { CachedEndpoint } from './fingerprint.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Stands in for the last user turn's words in the semantic cache's context fingerprint. */
export const LAST_TURN = '\u0000tollgate:last-user-turn\u0000';

/** The text of a user turn made only of text (a string, or text parts); undefined for anything else (images, tool results). */
function textOf(content: unknown, textType: string): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content) || !content.length) return undefined;
  const texts: string[] = [];
  for (const part of content) {
    if (!isObj(part) || part.type !== textType || typeof part.text !== 'string') return undefined;
    texts.push(part.text);
  }
  return texts.join('\n');
}

/**
 * Splits a request into its last user turn's text and everything else (that turn's text replaced
 * by LAST_TURN), for the semantic cache: a semantic hit needs `rest` to match exactly. Undefined
 * when the request does not end with a plain-text user turn (a tool result, an image): such a
 * request is only ever an exact hit.
 */
export function splitLastTurn(endpoint: CachedEndpoint, body: Obj): { text: string; rest: Obj } | undefined {
  if (endpoint === 'responses') {
    if (typeof body.input === 'string') return { text: body.input, rest: { ...body, input: LAST_TURN } };
    if (!Array.isArray(body.input) || !body.input.length) return undefined;
    const last = body.input.at(-1);
    if (!isObj(last) || last.role !== 'user' || (last.type !== undefined && last.type !== 'message')) return undefined;
    const text = textOf(last.content, 'input_text');
    if (text === undefined) return undefined;
    return { text, rest: { ...body, input: [...body.input.slice(0, -1), { ...last, content: LAST_TURN }] } };
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || !messages.length) return undefined;
  const last = messages.at(-1);
  if (!isObj(last) || last.role !== 'user') return undefined;
  const text = textOf(last.content, 'text');
  if (text === undefined) return undefined;
  return { text, rest: { ...body, messages: [...messages.slice(0, -1), { ...last, content: LAST_TURN }] } };
}
