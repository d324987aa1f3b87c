import { z } from 'zod';
import { cacheDefaults, cacheSchema } from './cache-schema.ts';
import { priceOverridesSchema } from '../pricing/overrides.ts';
import { databaseUrlProblem, SUPPORTED_DATABASE_URLS } from './database-url.ts';
import { NESTED_HINTS, TOP_LEVEL_PARAMS } from '../wire/params.ts';

/** The one config schema. Strict everywhere: an unknown key is an error with a suggestion. */

const url = z.string().url();
const databaseUrl = z.string().superRefine((u, ctx) => {
  const problem = databaseUrlProblem(u);
  if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (use ${SUPPORTED_DATABASE_URLS})` });
});
const secret = z.string().min(1);

/** One key, or several rotated with their own cool-downs (`api_keys`); never both. */
const keyFields = { api_key: secret.optional(), api_keys: z.array(secret).min(1).optional() };
function oneKeyForm(required: boolean) {
  return (p: { api_key?: string; api_keys?: string[] }, ctx: z.core.$RefinementCtx) => {
    if (p.api_key !== undefined && p.api_keys !== undefined) ctx.addIssue({ code: 'custom', message: 'set api_key or api_keys, not both', path: ['api_keys'] });
    else if (required && p.api_key === undefined && p.api_keys === undefined) ctx.addIssue({ code: 'custom', message: 'api_key (or api_keys) is required', path: ['api_key'] });
  };
}

/**
 * The parameter rule's overrides (docs/providers.md): `drop` names top-level parameters to take
 * out of requests (named in x-tollgate-dropped-params) instead of mapping or refusing them;
 * `refuse` names parameters, or hints the translators would drop, to answer with a 400 instead.
 */
const paramsSchema = z
  .strictObject({
    drop: z.array(z.enum(TOP_LEVEL_PARAMS as [string, ...string[]])).default([]),
    refuse: z.array(z.enum([...NESTED_HINTS, ...TOP_LEVEL_PARAMS] as [string, ...string[]])).default([]),
  })
  .superRefine((p, ctx) => {
    const both = p.drop.filter((n) => p.refuse.includes(n));
    if (both.length) ctx.addIssue({ code: 'custom', message: `${both.join(', ')} cannot be both dropped and refused`, path: ['refuse'] });
  });
export type ParamsConfig = z.infer<typeof paramsSchema>;

const providerCommon = {
  /** Overrides of the parameter rule for every request sent to this provider. */
  params: paramsSchema.optional(),
  /** Skip this provider (and its models) when a `${VAR}` it references is unset. */
  optional: z.boolean().default(false),
  /** Marks where data goes; policies may send PII only to `private` providers. */
  data_residency: z.enum(['public', 'private']).default('public'),
  /** Extra headers sent upstream on every request. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Cap on one upstream attempt (a stream: to its end); the routing timeouts apply within it. Unset: no cap of its own. */
  timeout_ms: z.number().int().positive().optional(),
  /** `anthropic-beta` values clients may send through this provider's key (default: DEFAULT_ALLOWED_BETAS). */
  allowed_betas: z.array(z.string().min(1)).optional(),
  /** Server-side tools clients may use (`web_search`, `code_execution`, `mcp_servers`…; default none). */
  allowed_server_tools: z.array(z.string().min(1)).optional(),
};

const openaiProvider = z.strictObject({
  type: z.literal('openai'),
  base_url: url.default('https://api.openai.com/v1'),
  ...keyFields,
  organization: z.string().optional(),
  ...providerCommon,
}).superRefine(oneKeyForm(true));

const openaiCompatibleProvider = z.strictObject({
  type: z.literal('openai-compatible'),
  base_url: url,
  ...keyFields,
  ...providerCommon,
}).superRefine(oneKeyForm(false));

const azureProvider = z.strictObject({
  type: z.literal('azure'),
  /** https://RESOURCE.openai.azure.com */
  base_url: url,
  ...keyFields,
  api_version: z.string().default('2024-10-21'),
  ...providerCommon,
}).superRefine(oneKeyForm(true));

const anthropicProvider = z.strictObject({
  type: z.literal('anthropic'),
  base_url: url.default('https://api.anthropic.com'),
  ...keyFields,
  version: z.string().default('2023-06-01'),
  ...providerCommon,
}).superRefine(oneKeyForm(true));

const geminiProvider = z.strictObject({
  type: z.literal('gemini'),
  base_url: url.default('https://generativelanguage.googleapis.com/v1beta'),
  ...keyFields,
  ...providerCommon,
}).superRefine(oneKeyForm(true));

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
  /** Overrides of the parameter rule for requests to this model; they win over the provider's. */
  params: paramsSchema.optional(),
  /**
   * How POST /v1/completions reaches this model: `native` sends it to the upstream's own
   * /v1/completions (OpenAI-wire providers only), `chat` translates it to chat. Unset: native on
   * OpenAI-wire providers (openai, azure, openai-compatible), chat on the rest (completions-mode.ts).
   */
  completions: z.enum(['native', 'chat']).optional(),
});

const ms = z.number().int().positive();

/** How the router balances equivalent targets (a policy's weighted set). */
export const STRATEGIES = ['ordered', 'weighted', 'least_inflight', 'latency', 'cost'] as const;

const RETRIES = { max_retries: 2, max_attempts: 6, backoff_base_ms: 250, backoff_max_ms: 8_000, budget_ms: 10_000 };
const TIMEOUTS = { connect_ms: 10_000, ttfb_ms: 120_000, idle_ms: 60_000, total_ms: 180_000, stream_total_ms: 1_800_000 };
const BREAKER = { failures: 5, ejection_ms: 5_000, max_ejection_ms: 20_000, half_open_probes: 1 };
const HEALTH = { window_ms: 60_000, ewma_alpha: 0.3 };
const KEYS = { rate_limit_cooldown_ms: 10_000, auth_cooldown_ms: 300_000 };
const LIMITS = { sse_event_bytes: 1024 * 1024, json_response_bytes: 32 * 1024 * 1024, error_body_bytes: 64 * 1024 };
const bytes = z.number().int().min(1024);

/** Router defaults; a policy decision may override strategy, retries and timeouts per request. */
export const routingSchema = z.strictObject({
  strategy: z.enum(STRATEGIES).default('weighted'),
  retries: z
    .strictObject({
      /** Further tries on the same target after a transient failure (429, 5xx, network). */
      max_retries: z.number().int().min(0).max(10).default(RETRIES.max_retries),
      /** All tries of one request, across targets. */
      max_attempts: z.number().int().min(1).max(50).default(RETRIES.max_attempts),
      backoff_base_ms: ms.default(RETRIES.backoff_base_ms),
      backoff_max_ms: ms.default(RETRIES.backoff_max_ms),
      /** The most one request spends waiting between tries; a longer Retry-After moves on at once. */
      budget_ms: z.number().int().min(0).default(RETRIES.budget_ms),
    })
    .default(RETRIES),
  timeouts: z
    .strictObject({
      connect_ms: ms.default(TIMEOUTS.connect_ms),
      /** Until the first byte of the response body (streams: the first event). */
      ttfb_ms: ms.default(TIMEOUTS.ttfb_ms),
      /** Between two chunks of a response body (providers send keep-alive events well within it). */
      idle_ms: ms.default(TIMEOUTS.idle_ms),
      /** The request's deadline: every attempt and wait of a JSON answer, or of a stream until its first event. */
      total_ms: ms.default(TIMEOUTS.total_ms),
      /** A stream from its attempt's start to its end, however long it keeps producing within idle_ms. */
      stream_total_ms: ms.default(TIMEOUTS.stream_total_ms),
    })
    .default(TIMEOUTS),
  /** Per deployment (provider + model): consecutive failures eject it for a while. */
  breaker: z
    .strictObject({
      failures: z.number().int().min(1).default(BREAKER.failures),
      ejection_ms: ms.default(BREAKER.ejection_ms),
      max_ejection_ms: ms.default(BREAKER.max_ejection_ms),
      half_open_probes: z.number().int().min(1).default(BREAKER.half_open_probes),
    })
    .default(BREAKER),
  health: z
    .strictObject({ window_ms: ms.default(HEALTH.window_ms), ewma_alpha: z.number().gt(0).max(1).default(HEALTH.ewma_alpha) })
    .default(HEALTH),
  keys: z
    .strictObject({
      /** Cool-down of a key after a 429 that carried no Retry-After. */
      rate_limit_cooldown_ms: ms.default(KEYS.rate_limit_cooldown_ms),
      /** A key the provider refused (401/403) rests this long. */
      auth_cooldown_ms: ms.default(KEYS.auth_cooldown_ms),
    })
    .default(KEYS),
  /** A stream quiet this long after its final event is closed without waiting for [DONE]. */
  finalise_ms: ms.default(1_000),
  /** What the gateway holds of one upstream response; past a bound the attempt fails (502). */
  limits: z
    .strictObject({
      /** One stream event (or unterminated line) of an SSE stream. */
      sse_event_bytes: bytes.default(LIMITS.sse_event_bytes),
      /** A whole non-streaming JSON response. */
      json_response_bytes: bytes.default(LIMITS.json_response_bytes),
      /** How much of an error response is read; the rest is dropped. */
      error_body_bytes: bytes.default(LIMITS.error_body_bytes),
    })
    .default(LIMITS),
});

const ROUTING = { strategy: 'weighted' as const, retries: RETRIES, timeouts: TIMEOUTS, breaker: BREAKER, health: HEALTH, keys: KEYS, finalise_ms: 1_000, limits: LIMITS };

const SERVER = { host: '127.0.0.1', port: 4000, max_body_bytes: 10 * 1024 * 1024, allow_anonymous: false, allow_anonymous_remote: false, drain_timeout_ms: 30_000, body_timeout_ms: 30_000, max_concurrent_uploads: 256, max_body_bytes_in_flight: 24 * 1024 * 1024 };

export const clientKeySchema = z.strictObject({
  name: z.string().min(1),
  /** sha256 hex of the key, optionally prefixed `sha256:`. Generate with `tollgate keys hash`. */
  hash: z.string().regex(/^(sha256:)?[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
  team: z.string().optional(),
  user: z.string().optional(),
});

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A retention period as milliseconds (null = forever). */
const retention = z
  .string()
  .regex(/^(forever|[1-9]\d{0,5}[mhd])$/, 'expected a period such as 30d, 12h or 90m, or forever')
  .transform((s) => (s === 'forever' ? null : Number(s.slice(0, -1)) * UNIT_MS[s.at(-1) as keyof typeof UNIT_MS]));
const RETENTION_30D = 30 * UNIT_MS.d;
const MIB = 1024 * 1024;
const RESPONSES = {
  max_row_bytes: 16 * MIB,
  max_conversation_turns: 1000,
  max_conversation_bytes: 32 * MIB,
  max_rows_per_key: 50_000,
  max_bytes_per_key: 1024 * MIB,
  max_rows_per_team: 500_000,
  max_bytes_per_team: 10 * 1024 * MIB,
};

const DECISION_LOG = { enabled: true, sample_rate: 1, deny_sample_rate: 1, retention: 7 * UNIT_MS.d, max_input_bytes: 16 * 1024, max_queue: 10_000, flush_ms: 500 };
/**
 * The decision log (docs/decision-log.md): every policy decision with its masked input, written
 * in batches off the request path. Decisions are not money: when the queue is full or the
 * database refuses a batch, decisions are dropped and counted, and requests never wait for it.
 */
const decisionLogSchema = z
  .strictObject({
    enabled: z.boolean().default(DECISION_LOG.enabled),
    /** Share of allowed decisions kept, 0 to 1. */
    sample_rate: z.number().min(0).max(1).default(DECISION_LOG.sample_rate),
    /** Share of denied decisions kept, 0 to 1 (default 1: every deny). */
    deny_sample_rate: z.number().min(0).max(1).default(DECISION_LOG.deny_sample_rate),
    /** How long a decision is kept: `7d`, `12h`, `90m`, or `forever`. */
    retention: retention.default(DECISION_LOG.retention),
    /** A masked input above this is stored as a truncation marker (and is not replayable). */
    max_input_bytes: z.number().int().min(256).max(1024 * 1024).default(DECISION_LOG.max_input_bytes),
    /** Decisions waiting to be written; beyond it new ones are dropped and counted. */
    max_queue: z.number().int().min(1).max(1_000_000).default(DECISION_LOG.max_queue),
    flush_ms: z.number().int().min(10).max(60_000).default(DECISION_LOG.flush_ms),
  })
  .default(DECISION_LOG);

/** A webhook: its URL (http or https, from this file only), payload format and extra headers (e.g. a token). */
const webhookSchema = z.strictObject({
  url: url.refine((u) => /^https?:\/\//i.test(u), 'a webhook url must be http:// or https://'),
  format: z.enum(['json', 'slack']).default('json'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and -'), z.string()).optional(),
});

const percent = z.number().int().min(1).max(1000);
export const alertsSchema = z
  .strictObject({
    webhooks: z.array(webhookSchema).max(20).default([]),
    /** Percent of a budget's limit at which it alerts, once per budget period each; a budget (key, team, policy) may set its own. */
    budget_thresholds: z.array(percent).min(1).max(10).default([50, 80, 100]),
    /** Alert when a provider deployment's circuit breaker opens (at most once per deployment per `repeat_ms`). */
    breaker_open: z.boolean().default(true),
    /** Alert when the ledger backs up: rows waiting in memory, or bytes in the journal (the database refuses rows). */
    ledger: z
      .strictObject({ backlog_rows: z.number().int().min(1).default(10_000), journal_bytes: z.number().int().min(1).default(64 * 1024 * 1024) })
      .prefault({}),
    /** The least time between two alerts of one kind about one subject that has no period (breakers, the ledger). */
    repeat_ms: z.number().int().min(1000).default(15 * 60_000),
    /** How often budgets touched by requests are compared with their thresholds. */
    check_ms: z.number().int().min(10).max(60_000).default(1000),
    delivery: z
      .strictObject({
        timeout_ms: z.number().int().min(100).max(60_000).default(5000),
        max_attempts: z.number().int().min(1).max(20).default(6),
        backoff_ms: z.number().int().min(10).default(1000),
        max_backoff_ms: z.number().int().min(10).default(5 * 60_000),
        /** Deliveries waiting at most; past it new ones are recorded as dropped. */
        queue: z.number().int().min(1).max(100_000).default(1000),
      })
      .prefault({}),
  })
  .prefault({});
export type AlertsConfig = z.infer<typeof alertsSchema>;

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(4000),
      max_body_bytes: z.number().int().positive().default(10 * 1024 * 1024),
      /** Serve without client keys. Only for local trials; the default config turns it on. */
      allow_anonymous: z.boolean().default(false),
      /** Anonymous mode on an address other than loopback: an open proxy, so it must be asked for by name. */
      allow_anonymous_remote: z.boolean().default(false),
      /** On SIGTERM, how long in-flight requests and streams may take to finish. */
      drain_timeout_ms: z.number().int().min(0).default(30_000),
      /** A request body must arrive within this (else 408); also the socket's idle limit while headers or a body come in. */
      body_timeout_ms: z.number().int().min(100).default(SERVER.body_timeout_ms),
      /** Request bodies being read at once; beyond it a 503 with Retry-After. */
      max_concurrent_uploads: z.number().int().min(1).default(SERVER.max_concurrent_uploads),
      /** Body bytes held at once across requests (read, parsed, sent on); beyond it requests queue up to body_timeout_ms, then 503. */
      max_body_bytes_in_flight: z.number().int().positive().default(SERVER.max_body_bytes_in_flight),
      /** Serve HTTPS: PEM certificate (chain) and private key files, relative to the config file. */
      tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
    })
    .default(SERVER),
  database: z
    .strictObject({
      /** A relative file: URL is relative to the config file (embedded defaults: the current directory). */
      url: databaseUrl.default('file:./data/tollgate.db'),
      auth_token: z.string().optional(),
      /** With a `file:` url: that file is an embedded replica of this server. */
      sync_url: url.optional(),
      /** A local file's database thread answering nothing this long fails waiting statements (503, the ledger journals). */
      statement_timeout_ms: z.number().int().positive().optional(),
    })
    .refine((d) => d.sync_url === undefined || d.url.startsWith('file:'), { message: 'sync_url needs a file: url (the local replica)', path: ['sync_url'] })
    .default({ url: 'file:./data/tollgate.db' }),
  logging: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
      /** `json` lines for log shippers, or `text`: one human-readable line per event. */
      format: z.enum(['json', 'text']).default('json'),
    })
    .default({ level: 'info', format: 'json' }),
  /** Prometheus metrics at GET /metrics. */
  metrics: z
    .strictObject({
      /** Off: nothing is counted and /metrics answers 404. */
      enabled: z.boolean().default(true),
      /** A bearer token for /metrics (scrapers); the master key is accepted too. Without either, /metrics answers 403. */
      token: z.string().min(16, 'a metrics token must be at least 16 characters').optional(),
      /** Label request counters with the key's name (a label per key: more series). Key material never appears. */
      key_labels: z.boolean().default(false),
    })
    .default({ enabled: true, key_labels: false }),
  /** OpenTelemetry traces over OTLP/HTTP; off unless set. */
  tracing: z
    .strictObject({
      /** The collector's OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces. */
      endpoint: url,
      headers: z.record(z.string(), z.string()).default({}),
      service_name: z.string().min(1).default('tollgate'),
      /** Share of new traces kept; a client's sampled traceparent is followed (parent-based). */
      sample_ratio: z.number().min(0).max(1).default(1),
      batch_ms: z.number().int().min(10).max(60_000).default(1_000),
      /** Spans waiting for export at most; past it new spans are dropped. */
      max_queue: z.number().int().min(1).max(100_000).default(2_048),
      export_timeout_ms: z.number().int().min(100).max(60_000).default(10_000),
    })
    .optional(),
  /** Alerts to webhooks: budget thresholds, breakers opening, the ledger backing up (docs/alerts.md). */
  alerts: alertsSchema,
  /** The usage ledger: one row per request, written in batches off the request path. */
  ledger: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** How often queued rows are written; a kill -9 loses at most this much. */
      flush_ms: z.number().int().min(10).max(60_000).default(200),
      /**
       * Where rows the database refuses are journalled until it takes them again; relative to the
       * config file. Default: `ledger-journal/` beside a file database, else the user's state dir.
       */
      journal_dir: z.string().min(1).optional(),
      /** The journal's bound; with the database down and the journal full, new requests get a 503. */
      journal_max_bytes: z.number().int().min(4096).default(256 * 1024 * 1024),
    })
    .default({ enabled: true, flush_ms: 200, journal_max_bytes: 256 * 1024 * 1024 }),
  providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'provider names are lowercase [a-z0-9_-]'), providerSchema),
  models: z.record(z.string().min(1), modelSchema).default({}),
  keys: z.array(clientKeySchema).default([]),
  routing: routingSchema.default(ROUTING),
  /** Price overrides and additions, USD per 1M tokens, keyed by upstream model id or public model name. */
  prices: priceOverridesSchema.default({}),
  /** Prompt capture: what is kept of a request and its answer when the policy decides `log_prompts: true`. */
  capture: z
    .strictObject({
      /** Bytes kept of each side (the request, the answer); past it the text is cut and the row says so. */
      max_bytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
      /** How long captures are kept: `30d`, `12h`, `90m`, or `forever`. */
      retention: retention.default(RETENTION_30D),
    })
    .default({ max_bytes: 256 * 1024, retention: RETENTION_30D }),
  /** The Responses API's stored responses (`store: true`). */
  responses: z
    .strictObject({
      /** How long a stored response is kept for previous_response_id and GET: `30d`, `12h`, `90m`, or `forever`. */
      retention: retention.default(RETENTION_30D),
      /** The most one stored response (its input and its output) may take; a larger input with `store` is a 400. */
      max_row_bytes: bytes.default(RESPONSES.max_row_bytes),
      /** previous_response_id continues at most this many turns, and this many bytes of them; beyond is a 400. */
      max_conversation_turns: z.number().int().min(1).default(RESPONSES.max_conversation_turns),
      max_conversation_bytes: bytes.default(RESPONSES.max_conversation_bytes),
      /** Stored responses one key (within its team), and one team, may hold; past either the oldest go first. */
      max_rows_per_key: z.number().int().min(1).default(RESPONSES.max_rows_per_key),
      max_bytes_per_key: bytes.default(RESPONSES.max_bytes_per_key),
      max_rows_per_team: z.number().int().min(1).default(RESPONSES.max_rows_per_team),
      max_bytes_per_team: bytes.default(RESPONSES.max_bytes_per_team),
    })
    .default({ retention: RETENTION_30D, ...RESPONSES }),
  /** The response cache's bounds (what is cached is the policy's `cache` decision). */
  cache: cacheSchema.default(cacheDefaults),
  policy: z
    .strictObject({
      /** Off: no policy runs (every catalog model is allowed, no decision limits). */
      enabled: z.boolean().default(true),
      /** Rego and data files, relative to the config file; must exist when set. Unset: ./policies beside the file if there, else the built-in ones. */
      dir: z.string().min(1).optional(),
      /** An OPA bundle (`opa build -t wasm`, .tar.gz) instead of a directory. */
      bundle: z.string().optional(),
      /** Recompile when a policy file (or the bundle) changes; off: only a restart reloads it. */
      watch: z.boolean().default(true),
      data: z.record(z.string(), z.unknown()).default({}),
      decision_log: decisionLogSchema,
    })
    .default({ enabled: true, watch: true, data: {}, decision_log: DECISION_LOG }),
});

export type GatewayConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ProviderType = ProviderConfig['type'];
export type ModelConfig = z.infer<typeof modelSchema>;
export type ClientKeyConfig = z.infer<typeof clientKeySchema>;
export type RoutingConfig = z.infer<typeof routingSchema>;
export type DecisionLogConfig = z.infer<typeof decisionLogSchema>;
export type Strategy = RoutingConfig['strategy'];
