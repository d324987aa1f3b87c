import { GatewayError } from '../../lib/errors.ts';
import type { OpenAIChatRequest } from '../../wire/openai.ts';
import { toGeminiContents } from './messages.ts';
import { functionParameters, toGeminiJsonSchema } from './schema.ts';

/** Parameters this translator maps onto Gemini's request. */
const MAPPED = new Set([
  'model', 'messages', 'stream', 'stream_options', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stop', 'seed', 'n',
  'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format',
  'reasoning_effort', 'top_k',
]);

/**
 * Parameters that are not about generation and have no Gemini counterpart, so they are accepted
 * and not sent: `user`/`safety_identifier` identify the end user for OpenAI's abuse monitoring,
 * `metadata` tags stored completions, `prompt_cache_key` is a cache-routing hint (Gemini caches
 * implicitly).
 */
const NOT_SENT = new Set(['user', 'safety_identifier', 'metadata', 'prompt_cache_key']);

/**
 * Hints with no Gemini counterpart that cannot change the answer: not sent, and reported as
 * dropped. `service_tier` picks a price and latency class, never the output.
 */
const HINTS = new Set(['service_tier']);

/** Unmapped parameters are still fine at their default value. */
const DEFAULTS: Record<string, unknown> = { store: false, service_tier: 'auto' };

/**
 * `reasoning_effort` → `thinkingConfig.thinkingBudget` (tokens). The budgets sit inside every
 * Gemini 2.5 model's range (Flash 0–24576, Pro 128–32768); Gemini 3 maps a budget onto its
 * thinking levels itself.
 */
export const THINKING_BUDGET = { minimal: 128, low: 1024, medium: 8192, high: 24576, xhigh: 24576, max: 24576 } as const;

export interface GeminiRequest {
  body: Record<string, unknown>;
  stream: boolean;
  includeUsage: boolean;
  logprobs: boolean;
  /** `parallel_tool_calls: false`: keep only the first function call of the answer. */
  oneCall: boolean;
  /** Hints that were not sent. */
  dropped: string[];
}

/** An OpenAI chat request → a Gemini `generateContent` body. Throws a 400 for what Gemini cannot express. */
export function toGeminiRequest(req: OpenAIChatRequest, model: string, provider: string): GeminiRequest {
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(req)) {
    if (MAPPED.has(k) || NOT_SENT.has(k) || v === null || v === undefined || DEFAULTS[k] === v) continue;
    if (HINTS.has(k)) {
      dropped.push(k);
      continue;
    }
    throw new GatewayError('invalid_request', `Parameter ${k} is not supported by ${provider}`, { param: k });
  }
  const { contents, systemInstruction, imageDetail } = toGeminiContents(req.messages, model);
  const body: Record<string, unknown> = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;

  const config = generationConfig(req, provider);
  if (imageDetail) config.mediaResolution = imageDetail === 'low' ? 'MEDIA_RESOLUTION_LOW' : 'MEDIA_RESOLUTION_HIGH';
  if (Object.keys(config).length) body.generationConfig = config;

  const names = (req.tools ?? []).map((t) => t.function.name);
  if (req.tools?.length) {
    // `strict` has no Gemini counterpart; the schema itself still goes up in full.
    const functionDeclarations = req.tools.map((t, i) => {
      const parametersJsonSchema = functionParameters(t.function.parameters, `tools[${i}].function.parameters`);
      return { name: t.function.name, ...(t.function.description ? { description: t.function.description } : {}), ...(parametersJsonSchema ? { parametersJsonSchema } : {}) };
    });
    body.tools = [{ functionDeclarations }];
  }
  const toolConfig = toolChoice(req.tool_choice, names);
  if (toolConfig) body.toolConfig = toolConfig;

  return {
    body,
    stream: req.stream === true,
    includeUsage: req.stream_options?.include_usage === true,
    logprobs: req.logprobs === true,
    // A forced single function needs nothing more; otherwise the answer is cut to its first call.
    oneCall: req.parallel_tool_calls === false,
    dropped,
  };
}

function generationConfig(req: OpenAIChatRequest, provider: string): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  if (req.temperature != null) c.temperature = req.temperature;
  if (req.top_p != null) c.topP = req.top_p;
  const topK = (req as { top_k?: unknown }).top_k;
  if (topK != null) {
    if (!Number.isInteger(topK) || (topK as number) < 1) throw new GatewayError('invalid_request', 'top_k must be a positive integer', { param: 'top_k' });
    c.topK = topK;
  }
  if (req.max_tokens != null && req.max_completion_tokens != null && req.max_tokens !== req.max_completion_tokens) {
    throw new GatewayError('invalid_request', 'max_tokens and max_completion_tokens disagree; send one of them', { param: 'max_tokens' });
  }
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max != null) c.maxOutputTokens = max;
  if (req.stop != null) {
    const stops = (typeof req.stop === 'string' ? [req.stop] : req.stop).filter((s) => s !== '');
    if (stops.length) c.stopSequences = stops;
  }
  if (req.seed != null) c.seed = req.seed;
  if (req.n != null && req.n !== 1) c.candidateCount = req.n;
  if (req.presence_penalty != null) c.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null) c.frequencyPenalty = req.frequency_penalty;
  if (req.logprobs === true) {
    c.responseLogprobs = true;
    if (req.top_logprobs) c.logprobs = req.top_logprobs;
  } else if (req.top_logprobs) {
    throw new GatewayError('invalid_request', 'top_logprobs requires logprobs to be true', { param: 'top_logprobs' });
  }
  const rf = req.response_format;
  if (rf?.type === 'json_object') c.responseMimeType = 'application/json';
  if (rf?.type === 'json_schema') {
    c.responseMimeType = 'application/json';
    // Without a schema this is plain JSON mode; `name`/`description` label the schema for OpenAI only.
    if (rf.json_schema.schema) c.responseJsonSchema = toGeminiJsonSchema(rf.json_schema.schema);
  }
  if (req.reasoning_effort != null) {
    const thinkingBudget = THINKING_BUDGET[req.reasoning_effort];
    if (thinkingBudget === undefined) throw new GatewayError('invalid_request', `reasoning_effort '${req.reasoning_effort}' is not supported by ${provider}`, { param: 'reasoning_effort' });
    // The thought summaries come back as `reasoning_content`.
    c.thinkingConfig = { thinkingBudget, includeThoughts: true };
  }
  return c;
}

/** `tool_choice` → `toolConfig.functionCallingConfig` (none → NONE, auto → AUTO, required → ANY, a named function → ANY limited to it). */
function toolChoice(choice: OpenAIChatRequest['tool_choice'], names: string[]): Record<string, unknown> | undefined {
  if (choice === undefined) return undefined;
  if (names.length === 0) {
    if (choice === 'none' || choice === 'auto') return undefined;
    throw new GatewayError('invalid_request', 'tool_choice requires tools', { param: 'tool_choice' });
  }
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  const name = choice.function.name;
  if (!names.includes(name)) throw new GatewayError('invalid_request', `tool_choice names '${name}', which is not among the tools`, { param: 'tool_choice' });
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
}
