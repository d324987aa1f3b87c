import type { StreamEvent } from '../providers/types.ts';
import type { ClientSchema } from '../lib/render-error.ts';

/**
 * Counts what a stream delivered to the client (content characters and content-bearing events),
 * so an interrupted stream whose provider never reported usage can still be billed by estimate.
 */
const MAX_KEPT = 4 * 1024 * 1024;

export function deliveredCounter(schema: ClientSchema) {
  let chars = 0;
  let events = 0;
  const parts: string[] = [];
  const add = (s: unknown) => {
    if (typeof s === 'string' && s.length) {
      // The text is kept (up to 4 MiB) so the ledger can count it with a tokenizer.
      if (chars < MAX_KEPT) parts.push(s);
      chars += s.length;
      events++;
    }
  };
  return {
    see(ev: StreamEvent): void {
      const d = ev.data as Record<string, unknown> | null;
      if (!d || typeof d !== 'object') return;
      // Responses API events (text, arguments and reasoning deltas), on either path.
      if (typeof d.type === 'string' && d.type.startsWith('response.') && d.type.endsWith('.delta')) return add(d.delta);
      if (schema === 'openai') {
        for (const c of (d.choices as { text?: unknown; delta?: { content?: unknown; reasoning_content?: unknown; tool_calls?: { function?: { arguments?: unknown } }[] } }[] | undefined) ?? []) {
          add(c.text); // legacy completions
          add(c.delta?.content);
          add(c.delta?.reasoning_content);
          for (const t of c.delta?.tool_calls ?? []) add(t.function?.arguments);
        }
      } else if (d.type === 'content_block_delta') {
        const delta = d.delta as { text?: unknown; partial_json?: unknown; thinking?: unknown } | undefined;
        add(delta?.text ?? delta?.partial_json ?? delta?.thinking);
      }
    },
    /** Estimated output tokens: at least one per content event, or ~4 characters per token. */
    estimatedTokens: () => Math.max(events, Math.ceil(chars / 4)),
    /** What was delivered, as text. */
    text: () => parts.join(''),
    /** Content-bearing events seen (a floor for the output token count). */
    events: () => events,
  };
}
