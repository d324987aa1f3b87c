import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest, ResponseFormat } from '../../wire/openai.ts';
import { markerOf, toAnthropicMessages, unsupported, type Block } from './openai-anthropic-messages.ts';

/**
 * OpenAI chat parameters → an Anthropic Messages body.
 *
 * Choices made where the two APIs differ:
 * - `max_tokens` is required by Anthropic; without `max_tokens`/`max_completion_tokens` it is
 *   DEFAULT_MAX_TOKENS (4096), or the thinking budget + 4096 when `reasoning_effort` is set.
 * - `temperature` above 1 is rejected (Anthropic's range is 0..1); it is never clamped.
 * - `response_format` json_schema / json_object becomes a synthetic tool that the model is forced
 *   to call (json_object uses a permissive object schema); its input comes back as the message
 *   content. With client tools present the model must call some tool (`any`), so it either calls
 *   a client tool or answers through the synthetic one.
 * - `reasoning_effort` becomes `thinking` with the budget in THINKING_BUDGET.
 * - `strict` on tools and json_schema is forwarded as Anthropic's `strict` tool flag.
 * - Everything else Anthropic cannot express (seed, n>1, logprobs, penalties, …) is a 400 naming it.
 */
export const DEFAULT_MAX_TOKENS = 4096;
export const THINKING_BUDGET = { minimal: 1024, low: 2048, medium: 8192, high: 24576, xhigh: 32768, max: 32768 } as const;

const HANDLED = new Set([
  'model', 'messages', 'stream', 'stream_options', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens',
  'stop', 'user', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'reasoning_effort', 'top_k', 'service_tier',
]);
/** Values that ask for OpenAI's default behaviour, which Anthropic has anyway. */
const NEUTRAL: Record<string, unknown> = { n: 1, presence_penalty: 0, frequency_penalty: 0, logprobs: false, top_logprobs: 0, store: false };
/** OpenAI's service tiers that Anthropic has; flex and priority pick price and latency only, and are dropped. */
const SERVICE_TIER: Record<string, string> = { auto: 'auto', default: 'standard_only' };

export interface AnthropicRequestPlan {
  body: Record<string, unknown>;
  /** Hints that were not sent. */
  dropped: string[];
  /** The synthetic tool whose input is the `response_format` answer. */
  jsonTool?: string;
}

export function toAnthropicRequest(req: OpenAIChatRequest, model: string, provider: string): AnthropicRequestPlan {
  for (const [key, value] of Object.entries(req)) {
    if (value === null || value === undefined || HANDLED.has(key) || NEUTRAL[key] === value) continue;
    if (key === 'metadata' && typeof value === 'object' && Object.keys(value).length === 0) continue;
    throw unsupported(key, provider);
  }
  const dropped = new Set<string>();
  const { system, messages } = toAnthropicMessages(req.messages, provider, (name) => dropped.add(name));
  const body: Record<string, unknown> = { model, messages };
  if (system.length) body.system = system;
  if (req.stream === true) body.stream = true;

  if (req.temperature != null) {
    if (req.temperature > 1) throw new GatewayError('invalid_request', `temperature must be between 0 and 1 for ${provider} (got ${req.temperature})`, { param: 'temperature' });
    body.temperature = req.temperature;
  }
  if (req.top_p != null) body.top_p = req.top_p;
  const topK = (req as { top_k?: unknown }).top_k;
  if (topK != null) {
    if (!Number.isInteger(topK) || (topK as number) < 1) throw new GatewayError('invalid_request', 'top_k must be a positive integer', { param: 'top_k' });
    body.top_k = topK;
  }
  if (req.service_tier != null) {
    const tier = SERVICE_TIER[String(req.service_tier)];
    if (tier) body.service_tier = tier;
    else dropped.add('service_tier');
  }
  if (req.stop != null) body.stop_sequences = typeof req.stop === 'string' ? [req.stop] : req.stop;
  if (req.user) body.metadata = { user_id: req.user };

  const tools: Block[] = (req.tools ?? []).map((t, i) => ({
    name: t.function.name,
    ...(t.function.description ? { description: t.function.description } : {}),
    input_schema: objectSchema(t.function.parameters ?? { properties: {} }),
    ...(t.function.strict ? { strict: true } : {}),
    ...markerOf(t, `tools[${i}]`),
  }));
  let toolChoice = toolChoiceOf(req.tool_choice);
  const json = jsonTool(req.response_format, tools, provider);
  if (json) {
    tools.push(json);
    const name = String(json.name);
    // A forced client function still wins; otherwise the model must answer through some tool.
    if (toolChoice?.type !== 'tool') toolChoice = toolChoice?.type === 'none' || tools.length === 1 ? { type: 'tool', name } : { type: 'any' };
  }
  if (tools.length) {
    body.tools = tools;
    if (req.parallel_tool_calls === false && toolChoice?.type !== 'none') toolChoice = { ...(toolChoice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  } else if (toolChoice?.type === 'auto' || toolChoice?.type === 'none') {
    // Without tools these say nothing, and Anthropic refuses a tool_choice with no tools.
    toolChoice = undefined;
  }
  if (toolChoice) body.tool_choice = toolChoice;

  const maxParam = req.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
  const asked = req.max_completion_tokens ?? req.max_tokens ?? undefined;
  body.max_tokens = asked ?? DEFAULT_MAX_TOKENS;
  if (req.reasoning_effort) {
    if (json) throw new GatewayError('invalid_request', `reasoning_effort cannot be combined with response_format on ${provider}: Anthropic does not allow thinking with a forced tool`, { param: 'reasoning_effort' });
    const budget = THINKING_BUDGET[req.reasoning_effort];
    if (asked !== undefined && asked <= budget) {
      throw new GatewayError('invalid_request', `${maxParam} must exceed the thinking budget (${budget}) of reasoning_effort '${req.reasoning_effort}' on ${provider}`, { param: maxParam });
    }
    body.max_tokens = asked ?? budget + DEFAULT_MAX_TOKENS;
    body.thinking = { type: 'enabled', budget_tokens: budget };
  }
  return { body, dropped: [...dropped], jsonTool: json ? String(json.name) : undefined };
}

/** Anthropic requires `type: 'object'` on every input schema; OpenAI lets it be implied. */
function objectSchema(schema: Record<string, unknown>): Record<string, unknown> {
  return schema.type === undefined ? { type: 'object', ...schema } : schema;
}

function toolChoiceOf(choice: OpenAIChatRequest['tool_choice']): Block | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.function.name };
}

function jsonTool(format: ResponseFormat | undefined, tools: Block[], provider: string): Block | undefined {
  if (!format || format.type === 'text') return undefined;
  const permissive = { type: 'object', additionalProperties: true };
  const tool: Block =
    format.type === 'json_object'
      ? { name: 'json_object', description: 'Give your complete answer as a JSON object, as the input of this tool.', input_schema: permissive }
      : {
          name: format.json_schema.name,
          description: format.json_schema.description ?? 'Give your complete answer as the input of this tool, following its schema.',
          input_schema: objectSchema(format.json_schema.schema ?? permissive),
          ...(format.json_schema.strict ? { strict: true } : {}),
        };
  const schema = tool.input_schema as Record<string, unknown>;
  // Tool input is always an object on Anthropic, so only object schemas can be carried this way.
  if (schema.type !== 'object') throw unsupported('response_format.json_schema.schema.type', provider);
  if (tools.some((t) => t.name === tool.name)) {
    throw new GatewayError('invalid_request', `response_format name '${String(tool.name)}' collides with a tool of the same name`, { param: 'response_format' });
  }
  return tool;
}
