import type { ResponsesRequest } from '../../wire/responses.ts';
import type { Usage } from '../types.ts';

type Json = Record<string, unknown>;

const hex = (n: number) => crypto.randomUUID().replace(/-/g, '').slice(0, n);
/** Ids in OpenAI's shapes: resp_, msg_, fc_, rs_ followed by hex. */
export const responseId = () => 'resp_' + hex(32) + hex(16);
export const itemId = (prefix: 'msg' | 'fc' | 'rs') => `${prefix}_${prefix === 'rs' ? GATEWAY_REASONING : ''}${hex(32)}${hex(16)}`;

/**
 * Reasoning items the translator made (from another provider's reasoning text) are marked in
 * their id: OpenAI knows no such item, so the native path does not send them back.
 */
const GATEWAY_REASONING = 'tg';
export const isGatewayReasoning = (item: { type?: unknown; id?: unknown }) => item.type === 'reasoning' && typeof item.id === 'string' && item.id.startsWith(`rs_${GATEWAY_REASONING}`);

/**
 * The response object's fields that echo the request, as OpenAI fills them (defaults stated,
 * never omitted), around the output and usage the translator supplies.
 */
export function responseShell(req: ResponsesRequest, id: string, model: string, createdAt: number): Json {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    model,
    output: [],
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: req.previous_response_id ?? null,
    reasoning: { effort: req.reasoning?.effort ?? null, summary: req.reasoning?.summary ?? null },
    store: req.store ?? true,
    temperature: req.temperature ?? 1,
    text: { format: req.text?.format ?? { type: 'text' }, verbosity: req.text?.verbosity ?? 'medium' },
    tool_choice: req.tool_choice ?? 'auto',
    tools: req.tools ?? [],
    top_p: req.top_p ?? 1,
    truncation: req.truncation ?? 'disabled',
    usage: null,
    user: req.user ?? null,
    metadata: req.metadata ?? {},
  };
}

/** Usage in the Responses shape (input_tokens include cached ones, output_tokens reasoning ones). */
export function responsesUsage(u: Usage): Json {
  return {
    input_tokens: u.input_tokens,
    input_tokens_details: { cached_tokens: u.cached_input_tokens },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: u.reasoning_tokens },
    total_tokens: u.input_tokens + u.output_tokens,
  };
}

/** A Responses `usage` object read back (native pass-through and stored responses). */
export function readResponsesUsage(v: unknown): Usage {
  const o = (v && typeof v === 'object' ? v : {}) as Json;
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
  const idt = (o.input_tokens_details ?? {}) as Json;
  const odt = (o.output_tokens_details ?? {}) as Json;
  return { input_tokens: n(o.input_tokens), output_tokens: n(o.output_tokens), cached_input_tokens: n(idt.cached_tokens), cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: n(odt.reasoning_tokens) };
}
