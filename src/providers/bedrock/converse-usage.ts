import { toOpenAIUsage } from '../openai/usage.ts';
import { GatewayError } from '../../lib/errors.ts';
import { emptyUsage, type Usage } from '../types.ts';

/**
 * Converse `usage` → ledger Usage. Bedrock's `inputTokens` counts only the uncached part of the
 * prompt (its `totalTokens` = input + output + cache reads + cache writes), so cache reads and
 * writes are added back: `input_tokens` is the whole prompt as our Usage contract says, with
 * `cached_input_tokens` and `cache_write_tokens` both subsets of it, and OpenAI's
 * prompt_tokens + completion_tokens equals Bedrock's totalTokens. `cacheDetails` breaks the
 * writes down by TTL (`[{ttl: '1h', inputTokens}, {ttl: '5m', inputTokens}]`); the 1-hour part
 * is priced apart.
 */
export function readConverseUsage(u: unknown): Usage {
  const usage = emptyUsage();
  if (!u || typeof u !== 'object') return usage;
  const o = u as Record<string, unknown>;
  const read = num(o.cacheReadInputTokens);
  const write = num(o.cacheWriteInputTokens);
  usage.input_tokens = num(o.inputTokens) + read + write;
  usage.output_tokens = num(o.outputTokens);
  usage.cached_input_tokens = read;
  usage.cache_write_tokens = write;
  const details = Array.isArray(o.cacheDetails) ? (o.cacheDetails as { ttl?: unknown; inputTokens?: unknown }[]) : [];
  usage.cache_write_1h_tokens = Math.min(write, details.reduce((n, d) => n + (d?.ttl === '1h' ? num(d.inputTokens) : 0), 0));
  return usage;
}

/** Usage in OpenAI's chat shape. */
export const openaiUsage = toOpenAIUsage;

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/**
 * Converse stopReason → OpenAI finish_reason. `tool_use` only becomes `tool_calls` when the client
 * actually receives a tool call (a server-side tool such as Nova's code interpreter is not one).
 * Malformed model output has no OpenAI equivalent and would hand the client broken tool calls,
 * so it is an upstream error.
 */
export function finishReason(stop: unknown, sawToolCall: boolean, provider: string): FinishReason {
  if (typeof stop !== 'string') throw new GatewayError('upstream_invalid', `${provider} returned no stopReason`);
  switch (stop) {
    case 'tool_use':
      return sawToolCall ? 'tool_calls' : 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    case 'malformed_model_output':
    case 'malformed_tool_use':
      throw new GatewayError('upstream_error', `${provider} stopped with ${stop}`, { code: stop });
    default:
      // end_turn, stop_sequence, and reasons added to the service later.
      return 'stop';
  }
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
