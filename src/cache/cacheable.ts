import type { CachedEndpoint } from './fingerprint.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

const CHAT_DONE = new Set(['stop', 'tool_calls']);
const MESSAGES_DONE = new Set(['end_turn', 'stop_sequence', 'tool_use']);

/**
 * Whether an answer is complete and successful, the only kind the cache stores: every choice
 * stopped by itself or to call tools (not `length`, `content_filter` or a refusal); a message that
 * ended its turn, hit a stop sequence or called a tool (not `max_tokens`, `refusal`, `pause_turn`);
 * a response `completed` with no refusal part. A truncated answer is not stored even though it is
 * what the same max_tokens would give again: it is rarely what the caller wanted, and serving it
 * from the cache would hide the truncation's cause from whoever raises the limit.
 */
export function cacheableAnswer(endpoint: CachedEndpoint, value: unknown): boolean {
  if (!isObj(value)) return false;
  if (endpoint === 'chat.completions') {
    const choices = list(value.choices);
    return choices.length > 0 && choices.every((c) => CHAT_DONE.has(String(c.finish_reason)) && !(isObj(c.message) && c.message.refusal));
  }
  if (endpoint === 'messages') return value.type === 'message' && MESSAGES_DONE.has(String(value.stop_reason));
  if (value.status !== 'completed' || value.error) return false;
  return list(value.output).every((item) => !list(item.content).some((p) => p.type === 'refusal'));
}
