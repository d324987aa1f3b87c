import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { hasToolHistory, toConverseMessages } from './converse-messages.ts';

/** Top-level OpenAI fields this translator understands; any other key is rejected by name. */
const KNOWN = new Set([
  'model', 'messages', 'stream', 'stream_options', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens',
  'stop', 'seed', 'user', 'n', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'tools',
  'tool_choice', 'parallel_tool_calls', 'response_format', 'reasoning_effort', 'metadata',
]);

/** Converse's `requestMetadata` limits (service model: at most 16 pairs, restricted characters). */
const METADATA_TEXT = /^[a-zA-Z0-9\s:_@$#=/+,\-.]{0,256}$/;

/**
 * OpenAI chat request → Converse / ConverseStream body (the model id goes in the URL).
 * Everything Converse cannot express is a 400 naming the parameter.
 */
export function toConverseBody(body: OpenAIChatRequest, provider: string): Record<string, unknown> {
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
  if (body.parallel_tool_calls === false) reject('parallel_tool_calls', `${provider} cannot turn off parallel tool calls`);

  const { system, messages } = toConverseMessages(body.messages, provider);
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
  if (body.stop != null) {
    const stops = typeof body.stop === 'string' ? [body.stop] : body.stop;
    if (stops.some((s) => s === '')) reject('stop', 'Stop sequences must not be empty');
    if (stops.length) inference.stopSequences = stops;
  }
  if (Object.keys(inference).length) out.inferenceConfig = inference;

  const toolConfig = toToolConfig(body, hasToolHistory(messages), provider);
  if (toolConfig) out.toolConfig = toolConfig;

  const outputConfig = toOutputConfig(body, provider);
  if (outputConfig) out.outputConfig = outputConfig;

  const metadata = toRequestMetadata(body);
  if (metadata) out.requestMetadata = metadata;
  return out;
}

function toToolConfig(body: OpenAIChatRequest, toolHistory: boolean, provider: string): Record<string, unknown> | undefined {
  const tools = body.tools ?? [];
  const choice = body.tool_choice;
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

/** response_format json_schema and reasoning_effort both map onto Converse `outputConfig`. */
function toOutputConfig(body: OpenAIChatRequest, provider: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const rf = body.response_format;
  if (rf?.type === 'json_object') {
    throw new GatewayError('invalid_request', `response_format json_object is not supported by ${provider}; use json_schema`, { param: 'response_format' });
  }
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
 * invocation for logs and never changes the answer.
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
  for (const [k, v] of entries) {
    const param = k === 'user' && body.user !== undefined ? 'user' : `metadata.${k}`;
    if (!k || !METADATA_TEXT.test(k) || !METADATA_TEXT.test(v)) {
      throw new GatewayError('invalid_request', "Bedrock metadata allows only letters, digits, spaces and :_@$#=/+,-. up to 256 characters", { param });
    }
  }
  return meta;
}
