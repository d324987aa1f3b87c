import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { hasToolHistory, toConverseMessages } from './converse-messages.ts';
import { cacheControlOf, cachePointOf } from '../cache-control.ts';

/** Top-level OpenAI fields this translator understands; any other key is rejected by name. */
const KNOWN = new Set([
  'model', 'messages', 'stream', 'stream_options', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens',
  'stop', 'seed', 'user', 'n', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'tools',
  'tool_choice', 'parallel_tool_calls', 'response_format', 'reasoning_effort', 'metadata', 'top_k', 'service_tier',
]);

/** Model families whose Converse prompt caching takes cachePoint blocks. */
const CACHING_MODELS = /(^|\.)(anthropic\.claude|amazon\.nova)/;

/** The synthetic tool that carries a `response_format: json_object` answer. */
export const JSON_OBJECT_TOOL = 'json_object';

/** Converse's `requestMetadata` limits (service model: at most 16 pairs, restricted characters). */
const METADATA_CHAR = /[^a-zA-Z0-9\s:_@$#=/+,\-.]/g;
const METADATA_MAX = 256;

export interface ConversePlan {
  body: Record<string, unknown>;
  /** Hints that were not sent. */
  dropped: string[];
  /** `parallel_tool_calls: false` without a forced tool: only the first tool call is returned. */
  oneCall: boolean;
  /** `response_format: json_object` rides on this forced tool; its input is the answer. */
  jsonTool?: string;
}

/** The Converse body alone (the model id goes in the URL). */
export function toConverseBody(body: OpenAIChatRequest, provider: string, model = ''): Record<string, unknown> {
  return converseRequest(body, provider, model).body;
}

/**
 * OpenAI chat request → Converse / ConverseStream body. Everything Converse cannot express is a
 * 400 naming the parameter; hints it has no place for are dropped and listed.
 */
export function converseRequest(body: OpenAIChatRequest, provider: string, model: string): ConversePlan {
  const reject = (param: string, why = `Parameter ${param} is not supported by ${provider}`) => {
    throw new GatewayError('invalid_request', why, { param });
  };
  for (const key of Object.keys(body)) if (!KNOWN.has(key) && body[key] !== undefined) reject(key);
  if (body.seed != null) reject('seed');
  if (body.n != null && body.n !== 1) reject('n');
  if (body.logprobs) reject('logprobs');
  if (body.top_logprobs) reject('top_logprobs');
  if (body.presence_penalty) reject('presence_penalty');
  if (body.frequency_penalty) reject('frequency_penalty');
  const dropped = new Set<string>();
  // A price and latency class, never the answer; Converse has no such field.
  if (body.service_tier != null && body.service_tier !== 'auto') dropped.add('service_tier');

  const caching = CACHING_MODELS.test(model);
  const hint = (name: string) => dropped.add(name);
  const { system, messages } = toConverseMessages(body.messages, provider, { hint, caching });
  const out: Record<string, unknown> = { messages };
  if (system.length) out.system = system;

  const inference: Record<string, unknown> = {};
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) inference.maxTokens = maxTokens;
  if (body.temperature != null) {
    // Converse's range is 0–1; OpenAI allows up to 2. Refuse rather than clamp.
    if (body.temperature > 1) reject('temperature', `${provider} accepts temperature between 0 and 1`);
    inference.temperature = body.temperature;
  }
  if (body.top_p != null) inference.topP = body.top_p;
  const additional = topKFields((body as { top_k?: unknown }).top_k, model, provider);
  if (additional) out.additionalModelRequestFields = additional;
  if (body.stop != null) {
    const stops = typeof body.stop === 'string' ? [body.stop] : body.stop;
    if (stops.some((s) => s === '')) reject('stop', 'Stop sequences must not be empty');
    if (stops.length) inference.stopSequences = stops;
  }
  if (Object.keys(inference).length) out.inferenceConfig = inference;

  const jsonTool = body.response_format?.type === 'json_object' ? JSON_OBJECT_TOOL : undefined;
  const toolConfig = toToolConfig(body, hasToolHistory(messages), provider, jsonTool);
  if (toolConfig) out.toolConfig = { ...toolConfig, tools: cachePoints(toolConfig.tools as unknown[], body.tools ?? [], caching, hint) };

  const outputConfig = toOutputConfig(body, provider);
  if (outputConfig) out.outputConfig = outputConfig;

  const metadata = toRequestMetadata(body);
  if (metadata) out.requestMetadata = metadata;
  // A forced tool yields one call by construction; otherwise later calls are cut from the answer.
  const forced = typeof body.tool_choice === 'object' || jsonTool !== undefined;
  return { body: out, dropped: [...dropped], oneCall: body.parallel_tool_calls === false && !forced, ...(jsonTool ? { jsonTool } : {}) };
}

/**
 * `top_k` goes in `additionalModelRequestFields`, in the model family's own field: Claude's
 * `top_k`, Nova's `inferenceConfig.topK`. Other families have none, so it is refused.
 */
function topKFields(topK: unknown, model: string, provider: string): Record<string, unknown> | undefined {
  if (topK == null) return undefined;
  if (!Number.isInteger(topK) || (topK as number) < 1) throw new GatewayError('invalid_request', 'top_k must be a positive integer', { param: 'top_k' });
  if (/(^|\.)anthropic\./.test(model)) return { top_k: topK };
  if (/(^|\.)amazon\.nova/.test(model)) return { inferenceConfig: { topK } };
  throw new GatewayError('invalid_request', `Parameter top_k is not supported by ${provider} for ${model || 'this model'} (Claude and Nova models only)`, { param: 'top_k' });
}

function toToolConfig(body: OpenAIChatRequest, toolHistory: boolean, provider: string, jsonTool?: string): Record<string, unknown> | undefined {
  const tools = body.tools ?? [];
  const choice = body.tool_choice;
  if (jsonTool) return jsonToolConfig(body, jsonTool, provider);
  if (!tools.length) {
    if (choice === 'required' || (choice && typeof choice === 'object')) {
      throw new GatewayError('invalid_request', 'tool_choice requires tools', { param: 'tool_choice' });
    }
    return undefined;
  }
  if (choice === 'none') {
    // Converse has no "none". Leaving the tools out is equivalent, unless earlier turns hold tool
    // calls: Converse then insists on toolConfig, and sending it would let the model call tools.
    if (toolHistory) {
      throw new GatewayError('invalid_request', `tool_choice 'none' is not supported by ${provider} once the conversation contains tool calls`, { param: 'tool_choice' });
    }
    return undefined;
  }
  const config: Record<string, unknown> = {
    tools: tools.map((t) => {
      const spec: Record<string, unknown> = {
        name: t.function.name,
        inputSchema: { json: t.function.parameters ?? { type: 'object', properties: {} } },
      };
      if (t.function.description) spec.description = t.function.description;
      if (t.function.strict != null) spec.strict = t.function.strict;
      return { toolSpec: spec };
    }),
  };
  if (choice === 'auto') config.toolChoice = { auto: {} };
  else if (choice === 'required') config.toolChoice = { any: {} };
  else if (choice && typeof choice === 'object') {
    if (!tools.some((t) => t.function.name === choice.function.name)) {
      throw new GatewayError('invalid_request', `tool_choice names '${choice.function.name}', which is not among the tools`, { param: 'tool_choice' });
    }
    config.toolChoice = { tool: { name: choice.function.name } };
  }
  return config;
}

/**
 * `response_format: json_object` → a forced tool whose input schema is any object: Converse's
 * structured output needs a closed schema, and a tool's input is always a JSON object. With
 * client tools the model must call some tool (`any`), so it either calls one of them or answers
 * through this one.
 */
function jsonToolConfig(body: OpenAIChatRequest, name: string, provider: string): Record<string, unknown> {
  const tools = body.tools ?? [];
  if (tools.some((t) => t.function.name === name)) {
    throw new GatewayError('invalid_request', `response_format json_object cannot be used with a tool named '${name}' on ${provider}`, { param: 'response_format' });
  }
  if (body.tool_choice === 'none' && tools.length) throw new GatewayError('invalid_request', `tool_choice 'none' cannot be combined with tools and response_format json_object on ${provider}`, { param: 'tool_choice' });
  const base = toToolConfig({ ...body, response_format: undefined, tool_choice: typeof body.tool_choice === 'object' ? body.tool_choice : undefined }, false, provider);
  const spec = { toolSpec: { name, description: 'Give your complete answer as a JSON object, as the input of this tool.', inputSchema: { json: { type: 'object' } } } };
  const toolChoice = typeof body.tool_choice === 'object' ? base?.toolChoice : tools.length ? { any: {} } : { tool: { name } };
  return { tools: [...((base?.tools as unknown[]) ?? []), spec], toolChoice };
}

/** response_format json_schema and reasoning_effort both map onto Converse `outputConfig`. */
function toOutputConfig(body: OpenAIChatRequest, provider: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const rf = body.response_format;
  if (rf?.type === 'json_schema') {
    const js = rf.json_schema;
    if (!js.schema) throw new GatewayError('invalid_request', 'response_format.json_schema.schema is required', { param: 'response_format.json_schema.schema' });
    // The service model types the schema as a string holding JSON.
    const jsonSchema: Record<string, unknown> = { schema: JSON.stringify(js.schema), name: js.name };
    if (js.description) jsonSchema.description = js.description;
    out.textFormat = { type: 'json_schema', structure: { jsonSchema } };
  }
  if (body.reasoning_effort != null) {
    // Converse's effort levels are low|medium|high|xhigh|max; OpenAI's "minimal" has no match.
    if (body.reasoning_effort === 'minimal') {
      throw new GatewayError('invalid_request', `reasoning_effort 'minimal' is not supported by ${provider} (low, medium, high)`, { param: 'reasoning_effort' });
    }
    out.effort = body.reasoning_effort;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * OpenAI `metadata` and `user` → Converse `requestMetadata`, which (like OpenAI's) only tags the
 * invocation for logs and never changes the answer. Characters Converse does not allow become
 * `_` and values are cut at 256, so a JSON user id (Claude Code's `metadata.user_id`) tags the
 * call instead of failing it.
 */
function toRequestMetadata(body: OpenAIChatRequest): Record<string, string> | undefined {
  const meta: Record<string, string> = { ...(body.metadata ?? {}) };
  if (body.user !== undefined) {
    if ('user' in meta && meta.user !== body.user) {
      throw new GatewayError('invalid_request', "user conflicts with metadata.user; both map to Bedrock's requestMetadata.user", { param: 'user' });
    }
    meta.user = body.user;
  }
  const entries = Object.entries(meta);
  if (!entries.length) return undefined;
  if (entries.length > 16) throw new GatewayError('invalid_request', 'Bedrock accepts at most 16 metadata entries', { param: 'metadata' });
  const clean = (text: string) => text.replace(METADATA_CHAR, '_').slice(0, METADATA_MAX);
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (!k) throw new GatewayError('invalid_request', 'Bedrock metadata keys must not be empty', { param: 'metadata' });
    out[clean(k)] = clean(v);
  }
  return out;
}

/** A cachePoint after each client tool marked with `cache_control`, when the model caches (else a dropped hint). */
function cachePoints(specs: unknown[], tools: NonNullable<OpenAIChatRequest['tools']>, caching: boolean, hint: (name: string) => void): unknown[] {
  return specs.flatMap((spec, i) => {
    const cc = cacheControlOf(tools[i], `tools[${i}].cache_control`);
    if (!cc) return [spec];
    if (!caching) {
      hint('cache_control');
      return [spec];
    }
    return [spec, cachePointOf(cc)];
  });
}
