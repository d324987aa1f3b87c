import { z } from 'zod';
import { priceOverridesSchema } from '../pricing/overrides.ts';

/** The one config schema. Strict everywhere: an unknown key is an error with a suggestion. */

const url = z.string().url();
const secret = z.string().min(1);

const providerCommon = {
  /** Skip this provider (and its models) when a `${VAR}` it references is unset. */
  optional: z.boolean().default(false),
  /** Marks where data goes; policies may send PII only to `private` providers. */
  data_residency: z.enum(['public', 'private']).default('public'),
  /** Extra headers sent upstream on every request. */
  headers: z.record(z.string(), z.string()).default({}),
  timeout_ms: z.number().int().positive().default(600_000),
};

const openaiProvider = z.strictObject({
  type: z.literal('openai'),
  base_url: url.default('https://api.openai.com/v1'),
  api_key: secret,
  organization: z.string().optional(),
  ...providerCommon,
});

const openaiCompatibleProvider = z.strictObject({
  type: z.literal('openai-compatible'),
  base_url: url,
  api_key: z.string().optional(),
  ...providerCommon,
});

const azureProvider = z.strictObject({
  type: z.literal('azure'),
  /** https://RESOURCE.openai.azure.com */
  base_url: url,
  api_key: secret,
  api_version: z.string().default('2024-10-21'),
  ...providerCommon,
});

const anthropicProvider = z.strictObject({
  type: z.literal('anthropic'),
  base_url: url.default('https://api.anthropic.com'),
  api_key: secret,
  version: z.string().default('2023-06-01'),
  ...providerCommon,
});

const geminiProvider = z.strictObject({
  type: z.literal('gemini'),
  base_url: url.default('https://generativelanguage.googleapis.com/v1beta'),
  api_key: secret,
  ...providerCommon,
});

const bedrockProvider = z.strictObject({
  type: z.literal('bedrock'),
  region: z.string().min(1),
  /** Defaults to https://bedrock-runtime.REGION.amazonaws.com */
  base_url: url.optional(),
  access_key_id: secret,
  secret_access_key: secret,
  session_token: z.string().optional(),
  ...providerCommon,
});

const mockProvider = z.strictObject({
  type: z.literal('mock'),
  ...providerCommon,
});

export const providerSchema = z.discriminatedUnion('type', [
  openaiProvider,
  openaiCompatibleProvider,
  azureProvider,
  anthropicProvider,
  geminiProvider,
  bedrockProvider,
  mockProvider,
]);

export const modelSchema = z.strictObject({
  provider: z.string().min(1),
  /** The upstream model id (for Azure: the deployment name). */
  model: z.string().min(1),
  kind: z.enum(['chat', 'embeddings']).default('chat'),
  aliases: z.array(z.string().min(1)).default([]),
});

export const clientKeySchema = z.strictObject({
  name: z.string().min(1),
  /** sha256 hex of the key, optionally prefixed `sha256:`. Generate with `tollgate keys hash`. */
  hash: z.string().regex(/^(sha256:)?[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
  team: z.string().optional(),
  user: z.string().optional(),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(4000),
      max_body_bytes: z.number().int().positive().default(10 * 1024 * 1024),
      /** Serve without client keys. Only for local trials; the default config turns it on. */
      allow_anonymous: z.boolean().default(false),
    })
    .default({ host: '127.0.0.1', port: 4000, max_body_bytes: 10 * 1024 * 1024, allow_anonymous: false }),
  database: z
    .strictObject({
      url: z.string().default('file:./data/tollgate.db'),
      auth_token: z.string().optional(),
      sync_url: z.string().optional(),
    })
    .default({ url: 'file:./data/tollgate.db' }),
  logging: z
    .strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') })
    .default({ level: 'info' }),
  /** The usage ledger: one row per request, written in batches off the request path. */
  ledger: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** How often queued rows are written; a kill -9 loses at most this much. */
      flush_ms: z.number().int().min(10).max(60_000).default(200),
    })
    .default({ enabled: true, flush_ms: 200 }),
  providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'provider names are lowercase [a-z0-9_-]'), providerSchema),
  models: z.record(z.string().min(1), modelSchema).default({}),
  keys: z.array(clientKeySchema).default([]),
  /** Price overrides and additions, per upstream model id, USD per 1M tokens. */
  prices: priceOverridesSchema.default({}),
  policy: z
    .strictObject({
      /** Off: no policy runs (every catalog model is allowed, no decision limits). */
      enabled: z.boolean().default(true),
      /** Rego and data files, relative to the config file; the built-in defaults when absent. */
      dir: z.string().default('policies'),
      /** An OPA bundle (`opa build -t wasm`, .tar.gz) instead of a directory. */
      bundle: z.string().optional(),
      data: z.record(z.string(), z.unknown()).default({}),
    })
    .default({ enabled: true, dir: 'policies', data: {} }),
});

export type GatewayConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ProviderType = ProviderConfig['type'];
export type ModelConfig = z.infer<typeof modelSchema>;
export type ClientKeyConfig = z.infer<typeof clientKeySchema>;
