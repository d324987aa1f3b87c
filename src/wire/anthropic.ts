import { z } from 'zod';

/**
 * The Anthropic Messages request. Known fields are typed; everything else (cache_control,
 * thinking, betas' new fields) passes through untouched to Anthropic.
 */

const cacheControl = z.looseObject({ type: z.literal('ephemeral') }).optional();

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });
const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
    z.looseObject({ type: z.literal('url'), url: z.string() }),
  ]),
  cache_control: cacheControl,
});
const toolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() });
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.union([textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
});
const thinkingBlock = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() });
const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });
const documentBlock = z.looseObject({ type: z.literal('document'), source: z.looseObject({}) });
const knownBlock = z.discriminatedUnion('type', [textBlock, imageBlock, toolUseBlock, toolResultBlock, thinkingBlock, redactedThinkingBlock, documentBlock]);
const KNOWN_BLOCK_TYPES: ReadonlySet<string> = new Set(knownBlock.options.map((o) => o.shape.type.value));
/**
 * Server tools and newer blocks: accepted, passed through natively, rejected by other wires. A
 * known type never lands here, so `{"type":"text"}` without its text is refused, not passed on.
 */
const otherBlock = z.looseObject({ type: z.string().refine((t) => !KNOWN_BLOCK_TYPES.has(t), { message: 'is missing the fields its type requires' }) });

export const contentBlock = z.union([knownBlock, otherBlock]);
export type AnthropicContentBlock = z.infer<typeof contentBlock>;

/** `system` turns inside `messages` come with the `mid-conversation-system` beta (Claude Code sends them). */
export const anthropicMessage = z.looseObject({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(contentBlock)]),
});

export const anthropicTool = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
  type: z.string().optional(),
  cache_control: cacheControl,
});

export const messagesRequest = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(anthropicMessage),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().positive().optional(),
  stop_sequences: z.array(z.string()).optional(),
  tools: z.array(anthropicTool).optional(),
  tool_choice: z
    .looseObject({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional(), disable_parallel_tool_use: z.boolean().optional() })
    .optional(),
  metadata: z.looseObject({ user_id: z.string().nullable().optional() }).optional(),
  thinking: z.looseObject({ type: z.enum(['enabled', 'disabled', 'adaptive']), budget_tokens: z.number().int().optional() }).optional(),
  output_config: z
    .looseObject({
      effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
      format: z.looseObject({ type: z.string(), schema: z.record(z.string(), z.unknown()).optional() }).nullable().optional(),
    })
    .nullable()
    .optional(),
  service_tier: z.enum(['auto', 'standard_only']).nullable().optional(),
  cache_control: cacheControl.nullable(),
  context_management: z.looseObject({}).nullable().optional(),
});
export type AnthropicMessagesRequest = z.infer<typeof messagesRequest>;
