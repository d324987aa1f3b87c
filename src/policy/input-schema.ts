import { z } from 'zod';
import { PII_TYPES } from './pii.ts';

/**
 * The policy input document (`input` in Rego). One schema: the TypeScript type, the JSON Schema
 * in docs/policy-input.schema.json and the CLI's input check all come from it.
 */

const nonNegInt = z.number().int().nonnegative();
const nonNeg = z.number().nonnegative();

export const ENDPOINTS = ['chat.completions', 'messages', 'embeddings', 'completions', 'responses'] as const;
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

export const policyRequestSchema = z.strictObject({
  endpoint: z.enum(ENDPOINTS).describe('Which client API was called.'),
  model: z.string().describe('The model name the client asked for (before alias resolution).'),
  catalog_target: z
    .strictObject({ provider: z.string(), model: z.string() })
    .nullable()
    .describe("Where the catalog would send this model (provider, upstream model id); null if the caller did not resolve it. Used when the decision has no `targets`."),
  stream: z.boolean(),
  max_tokens: nonNegInt.nullable().describe('max_completion_tokens / max_tokens as sent; null if absent (always null for embeddings; for completions 16, OpenAI\'s default, when absent).'),
  estimated_input_tokens: nonNegInt.describe('ceil(characters of all text content / 4) plus the token ids of token-array embeddings input. An estimate, not a tokenizer count.'),
  message_count: nonNegInt.describe('Messages (chat, messages), inputs (embeddings) or prompts (completions).'),
  image_count: nonNegInt,
  tool_count: nonNegInt,
  tool_names: z.array(z.string()),
  betas: z.array(z.string()).describe('The `anthropic-beta` values sent (comma list split, de-duplicated); the gateway refuses any that neither the providers\' `allowed_betas` nor the decision\'s `allow_betas` allows.'),
  server_tools: z
    .array(z.string())
    .describe('Tools the provider runs or defines: Anthropic typed tools by `type` (`web_search_20250305`, `code_execution_20250825`, `bash_20250124`…), `mcp_servers`, OpenAI `web_search_options`. Refused unless `allowed_server_tools` or the decision\'s `allow_server_tools` allows them.'),
  metadata: z.record(z.string(), z.string()).describe('Body `metadata` (string values) merged with the `x-tollgate-metadata` header (a JSON object of strings); the header wins.'),
  tags: z.array(z.string()).describe('`x-tollgate-tags` (comma list) then `metadata.tags` (comma list), de-duplicated.'),
  client_ip: z.string().nullable(),
  headers: z.record(z.string(), z.string()).describe('Allow-listed request headers only (lower-case names); never credentials or cookies.'),
});

export const policyKeySchema = z
  .strictObject({
    id: z.string().nullable(),
    name: z.string().nullable(),
    team: z.string().nullable(),
    user: z.string().nullable(),
    tags: z.array(z.string()),
    created_at: z.string().nullable().describe('RFC 3339.'),
    expires_at: z.string().nullable().describe('RFC 3339.'),
  })
  .describe('The client key; every field null for anonymous requests.');

export const usageCountersSchema = z.strictObject({
  day_usd: nonNeg,
  month_usd: nonNeg,
  day_requests: nonNegInt,
  month_requests: nonNegInt,
  minute_requests: nonNegInt,
  minute_tokens: nonNegInt,
});

export const policyProviderSchema = z.strictObject({
  healthy: z.boolean(),
  error_rate: z.number().min(0).max(1).describe('Share of failed upstream calls over the recent window.'),
  p50_ms: nonNeg.nullable().describe('Median upstream latency over the recent window; null with no data.'),
  data_residency: z.enum(['public', 'private']),
  type: z.string().describe('Provider type from config: openai, anthropic, bedrock, …'),
  allowed_betas: z.array(z.string()).optional().describe('The betas this provider allows without the policy (config `allowed_betas`, else the defaults). Always set by the gateway.'),
  allowed_server_tools: z.array(z.string()).optional().describe('The server-side tools this provider allows without the policy (config `allowed_server_tools`, default none). Always set by the gateway.'),
});

export const policyInputSchema = z
  .strictObject({
    request: policyRequestSchema,
    key: policyKeySchema,
    usage: z
      .strictObject({ key: usageCountersSchema, team: usageCountersSchema })
      .describe('Spend and counts so far (UTC day / month, rolling minute); zeros when unknown.'),
    providers: z.record(z.string(), policyProviderSchema).describe('Configured providers by name.'),
    time: z.strictObject({
      rfc3339: z.string(),
      weekday: z.enum(WEEKDAYS).describe('UTC.'),
      hour: z.number().int().min(0).max(23).describe('UTC.'),
    }),
    signals: z.strictObject({
      pii: z.strictObject({ email: nonNegInt, phone: nonNegInt, card: nonNegInt, iban: nonNegInt, national_id: nonNegInt }).describe('PII matches found in the prompt text, by type.'),
      pii_types: z.array(z.enum(PII_TYPES)).describe('The types with at least one match.'),
    }),
  })
  .meta({ title: 'Tollgate policy input', description: 'The `input` document every Rego policy decision is made on.' });

export type PolicyEndpoint = (typeof ENDPOINTS)[number];
export type PolicyInput = z.infer<typeof policyInputSchema>;
export type PolicyRequest = z.infer<typeof policyRequestSchema>;
export type PolicyKey = z.infer<typeof policyKeySchema>;
export type UsageCounters = z.infer<typeof usageCountersSchema>;
export type PolicyProvider = z.infer<typeof policyProviderSchema>;

/** The JSON Schema of the input document (written to docs/policy-input.schema.json by `tollgate policy schema`). */
export function policyInputJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(policyInputSchema, { target: 'draft-2020-12' });
}
