/**
 * Keys some clients echo back on earlier assistant turns (LiteLLM's `provider_specific_fields`):
 * bookkeeping about earlier output, not a parameter, and no upstream has a place for it. Not
 * sent, on every route alike (`function_call: null` needs nothing: nulls are never sent).
 */
export const ECHOED_KEYS: ReadonlySet<string> = new Set(['provider_specific_fields']);

/** The messages without the echoed keys, for wires that pass messages through as written. */
export function withoutEchoedKeys<M extends object>(messages: M[]): M[] {
  return messages.map((m) => (Object.keys(m).some((k) => ECHOED_KEYS.has(k)) ? (Object.fromEntries(Object.entries(m).filter(([k]) => !ECHOED_KEYS.has(k))) as M) : m));
}
