import { GatewayError } from '../../lib/errors.ts';

export type Obj = Record<string, unknown>;
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** Finish reasons meaning a safety, recitation or policy filter stopped the candidate. */
const FILTERED = new Set([
  'SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'LANGUAGE', 'MODEL_ARMOR',
  'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION',
]);

/** Finish reasons meaning generation failed; with nothing produced they are an upstream error. */
const FAILED = new Set([
  'OTHER', 'MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS', 'MISSING_THOUGHT_SIGNATURE',
  'MALFORMED_RESPONSE', 'IMAGE_OTHER', 'NO_IMAGE',
]);

/**
 * Gemini `finishReason` → OpenAI `finish_reason`. STOP, unspecified and reasons newer than this
 * code are `stop` (or `tool_calls` when the candidate called functions); a failure reason with
 * nothing produced is a 502 carrying Google's `finishMessage`, since an empty `stop` would hide it.
 */
export function finishReason(provider: string, reason: string, finishMessage: string | undefined, hasCalls: boolean, produced: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  if (FAILED.has(reason) && !produced) {
    throw new GatewayError('upstream_error', `${provider} could not generate a response (${reason}${finishMessage ? `: ${finishMessage.slice(0, 300)}` : ''})`, { code: reason });
  }
  return hasCalls ? 'tool_calls' : 'stop';
}

export function asObj(v: unknown, provider: string, what: string): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new GatewayError('upstream_invalid', `${provider} returned a malformed ${what}`);
  return v as Obj;
}

/** A candidate's parts, checked to be objects; a candidate without content has none. */
export function partsOf(c: Obj, provider: string): Obj[] {
  if (c.content === undefined) return [];
  const content = asObj(c.content, provider, 'candidate content');
  if (content.parts === undefined) return [];
  if (!Array.isArray(content.parts)) throw new GatewayError('upstream_invalid', `${provider} returned candidate parts that are not a list`);
  return content.parts.map((p) => asObj(p, provider, 'content part'));
}

/** A prompt refused before generation: Gemini sends `promptFeedback.blockReason` and no candidates. */
export function promptBlocked(r: Obj): boolean {
  const fb = r.promptFeedback as Obj | undefined;
  return !!fb && typeof fb === 'object' && (typeof fb.blockReason === 'string' || typeof fb.blockReasonMessage === 'string');
}

/** Gemini `logprobsResult` → OpenAI `logprobs` (token, logprob, UTF-8 bytes, alternatives per step). */
export function openAILogprobs(lr: unknown): { content: unknown[]; refusal: null } | null {
  if (!lr || typeof lr !== 'object') return null;
  const o = lr as Obj;
  const chosen = Array.isArray(o.chosenCandidates) ? (o.chosenCandidates as Obj[]) : [];
  const top = Array.isArray(o.topCandidates) ? (o.topCandidates as Obj[]) : [];
  const entry = (c: Obj) => {
    const token = typeof c.token === 'string' ? c.token : '';
    return { token, logprob: typeof c.logProbability === 'number' ? c.logProbability : 0, bytes: [...new TextEncoder().encode(token)] };
  };
  const content = chosen.map((c, k) => {
    const alts = top[k]?.candidates;
    return { ...entry(c), top_logprobs: Array.isArray(alts) ? (alts as Obj[]).map(entry) : [] };
  });
  return { content, refusal: null };
}
