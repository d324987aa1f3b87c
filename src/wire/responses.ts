import { z } from 'zod';

/**
 * The OpenAI Responses API request (POST /v1/responses) as Tollgate accepts it. Known fields
 * are typed; unknown ones pass through to the native OpenAI/Azure endpoint and are refused by
 * name by the translator to chat completions. Sizes are bounded like the chat wire's.
 */

const MAX_ITEMS = 4096;
const MAX_TOOLS = 512;

const inputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const inputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().min(1).nullable().optional(),
  file_id: z.string().nullable().optional(),
  detail: z.enum(['auto', 'low', 'high']).optional(),
});
const inputFile = z.looseObject({
  type: z.literal('input_file'),
  file_data: z.string().optional(),
  file_id: z.string().nullable().optional(),
  file_url: z.string().optional(),
  filename: z.string().optional(),
});
/** Earlier assistant turns come back with the parts the API sent them in. */
const outputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
export const responsesInputPart = z.discriminatedUnion('type', [inputText, inputImage, inputFile, outputText, refusal]);
export type ResponsesInputPart = z.infer<typeof responsesInputPart>;

const messageItem = z.looseObject({
  type: z.literal('message').optional(),
  id: z.string().optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(responsesInputPart).max(MAX_ITEMS)]),
  status: z.string().optional(),
});
const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  id: z.string().optional(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  status: z.string().optional(),
});
const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  id: z.string().nullable().optional(),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(responsesInputPart).max(MAX_ITEMS)]),
  status: z.string().nullable().optional(),
});
const reasoningItem = z.looseObject({
  type: z.literal('reasoning'),
  id: z.string().optional(),
  summary: z.array(z.looseObject({ type: z.string(), text: z.string() })).max(MAX_ITEMS).optional(),
  content: z.array(z.looseObject({ type: z.string(), text: z.string() })).max(MAX_ITEMS).optional(),
  encrypted_content: z.string().nullable().optional(),
});
/** `schema`'s value, or its issues (with their paths) added to the outer parse and NEVER. */
function parsedOr<T>(schema: z.ZodType<T>, v: unknown, ctx: z.RefinementCtx): T {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path as PropertyKey[] });
  return z.NEVER;
}

/** `item_reference` and the built-in tools' items are only understood natively. */
const otherItem = z.looseObject({ type: z.string().min(1) });

export type ResponsesInputItem = z.infer<typeof messageItem> | z.infer<typeof functionCallItem> | z.infer<typeof functionCallOutputItem> | z.infer<typeof reasoningItem> | z.infer<typeof otherItem>;
const BY_TYPE: Record<string, z.ZodType> = { message: messageItem, function_call: functionCallItem, function_call_output: functionCallOutputItem, reasoning: reasoningItem };

/**
 * One input item, checked against the schema its `type` names (a message may omit it), so an
 * error names the missing or wrong field (`input[2].call_id`) rather than "no option matched".
 */
export const responsesInputItem = z.unknown().transform((v, ctx): ResponsesInputItem => {
  const type = v && typeof v === 'object' && !Array.isArray(v) ? (v as { type?: unknown }).type : undefined;
  const schema = type === undefined ? messageItem : typeof type === 'string' ? (BY_TYPE[type] ?? otherItem) : otherItem;
  return parsedOr(schema, v, ctx) as ResponsesInputItem;
});
export type ResponsesMessageItem = z.infer<typeof messageItem>;

const inputList = z.array(responsesInputItem).max(MAX_ITEMS);
/** A string, or a list of items whose errors keep their paths (a union would report only "Invalid input"). */
const responsesInput = z.unknown().transform((v, ctx): string | ResponsesInputItem[] => {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) {
    ctx.addIssue({ code: 'custom', message: 'must be a string or an array of input items' });
    return z.NEVER;
  }
  return parsedOr(inputList, v, ctx);
});

export const responsesFunctionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});
/** Built-in tools (web_search, file_search, code_interpreter, mcp…): the provider runs them. */
const builtinTool = z.looseObject({ type: z.string().min(1) });
export const responsesTool = z.union([responsesFunctionTool, builtinTool]);
export type ResponsesTool = z.infer<typeof responsesTool>;

export const responsesToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), name: z.string().min(1) }),
  z.looseObject({ type: z.string().min(1) }),
]);

export const responsesTextFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    description: z.string().optional(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullable().optional(),
  }),
]);

export const responsesRequest = z.looseObject({
  model: z.string().min(1),
  input: responsesInput.optional(),
  instructions: z.string().nullable().optional(),
  tools: z.array(responsesTool).max(MAX_TOOLS).optional(),
  tool_choice: responsesToolChoice.optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  text: z.looseObject({ format: responsesTextFormat.optional(), verbosity: z.enum(['low', 'medium', 'high']).nullable().optional() }).nullable().optional(),
  reasoning: z
    .looseObject({
      effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullable().optional(),
      summary: z.enum(['auto', 'concise', 'detailed']).nullable().optional(),
    })
    .nullable()
    .optional(),
  max_output_tokens: z.number().int().positive().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
  user: z.string().optional(),
  store: z.boolean().nullable().optional(),
  previous_response_id: z.string().min(1).max(256).nullable().optional(),
  include: z.array(z.string()).max(64).nullable().optional(),
  truncation: z.enum(['auto', 'disabled']).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_obfuscation: z.boolean().optional() }).nullable().optional(),
});
export type ResponsesRequest = z.infer<typeof responsesRequest>;

/** POST /v1/responses/input_tokens takes the same fields without the output ones. */
export const inputTokensRequest = responsesRequest.partial({ model: true });
export type InputTokensRequest = z.infer<typeof inputTokensRequest>;

/** The request's items as a list (a string input is one user message). */
export function inputItems(input: ResponsesRequest['input']): ResponsesInputItem[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  return input;
}
