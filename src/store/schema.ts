import { sqliteTable, text, integer, index, primaryKey } from 'drizzle-orm/sqlite-core';

/** One row per request that reached a route (success, failure or interrupted stream). */
export const usage = sqliteTable(
  'usage',
  {
    requestId: text('request_id').primaryKey(),
    createdAt: integer('created_at').notNull(),
    endpoint: text('endpoint').notNull(),
    keyName: text('key_name'),
    keyHash: text('key_hash'),
    team: text('team'),
    user: text('user'),
    tags: text('tags', { mode: 'json' }).$type<string[]>(),
    requestedModel: text('requested_model').notNull(),
    provider: text('provider'),
    servedModel: text('served_model'),
    attempts: integer('attempts').notNull().default(0),
    status: integer('status').notNull(),
    outcome: text('outcome').notNull(),
    stream: integer('stream', { mode: 'boolean' }).notNull().default(false),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cachedInputTokens: integer('cached_input_tokens').notNull().default(0),
    cacheWriteTokens: integer('cache_write_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens').notNull().default(0),
    /** Integer micro-dollars: exact sums, no float drift. */
    costMicros: integer('cost_micros').notNull().default(0),
    priceVersion: text('price_version'),
    usageSource: text('usage_source'),
    latencyMs: integer('latency_ms').notNull().default(0),
    ttftMs: integer('ttft_ms'),
    decisionId: text('decision_id'),
    policyRevision: text('policy_revision'),
    errorClass: text('error_class'),
    /** PII types masked in the prompt before it was sent, comma-separated (`email,phone`); null when none. */
    redacted: text('redacted'),
    /** Client hints the provider had no place for and the gateway did not send, comma-separated (`image_url.detail,service_tier`); null when none. */
    droppedParams: text('dropped_params'),
    /** The caller's `x-tollgate-metadata` header: a JSON object of string values; null when not sent. */
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, string>>(),
    /** Served from the response cache: nothing went upstream, cost_micros is 0. */
    cacheHit: integer('cache_hit', { mode: 'boolean' }).notNull().default(false),
    /** On a cache hit: what the stored answer cost when it was first made (the spend the hit saved). */
    savedMicros: integer('saved_micros').notNull().default(0),
  },
  (t) => [index('usage_created_at').on(t.createdAt), index('usage_key_created').on(t.keyHash, t.createdAt), index('usage_team_created').on(t.team, t.createdAt)],
);

/** Teams own keys and budgets. */
export const teams = sqliteTable('teams', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Team budget in micro-dollars per `budgetPeriod`; null = none. */
  budgetMicros: integer('budget_micros'),
  budgetPeriod: text('budget_period', { enum: ['day', 'week', 'month'] }),
  rpm: integer('rpm'),
  tpm: integer('tpm'),
  allowedModels: text('allowed_models', { mode: 'json' }).$type<string[]>(),
  metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>(),
  createdAt: integer('created_at').notNull(),
  /** Budget alert thresholds in percent (`[80, 100]`); null = the config's `alerts.budget_thresholds`. */
  budgetAlerts: text('budget_alerts', { mode: 'json' }).$type<number[]>(),
});

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email'),
  teamId: text('team_id').references(() => teams.id),
  createdAt: integer('created_at').notNull(),
});

/** Virtual keys. Only the sha-256 of a key is stored, plus a short prefix to recognise it by. */
export const virtualKeys = sqliteTable(
  'virtual_keys',
  {
    id: text('id').primaryKey(),
    hash: text('hash').notNull().unique(),
    prefix: text('prefix').notNull(),
    name: text('name').notNull(),
    teamId: text('team_id').references(() => teams.id),
    userId: text('user_id').references(() => users.id),
    tags: text('tags', { mode: 'json' }).$type<string[]>(),
    /** Glob patterns of public model names this key may call; null = any. */
    allowedModels: text('allowed_models', { mode: 'json' }).$type<string[]>(),
    budgetMicros: integer('budget_micros'),
    budgetPeriod: text('budget_period', { enum: ['day', 'week', 'month'] }),
    rpm: integer('rpm'),
    tpm: integer('tpm'),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
    /** Set on a key replaced by `keys rotate`: it keeps working until this time. */
    rotatedTo: text('rotated_to'),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** Budget alert thresholds in percent; null = the config's `alerts.budget_thresholds`. */
    budgetAlerts: text('budget_alerts', { mode: 'json' }).$type<number[]>(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /**
     * Order of changes, independent of any clock: every write to a key sets it to one more than
     * the largest in the table, in the same statement, so key caches poll by it (see key-cache.ts).
     */
    changeSeq: integer('change_seq').notNull().default(0),
  },
  (t) => [index('virtual_keys_team').on(t.teamId), index('virtual_keys_updated').on(t.updatedAt), index('virtual_keys_change_seq').on(t.changeSeq)],
);

/**
 * Spend per budget window. `reserved` holds worst-case amounts of requests in flight; a
 * reservation succeeds only if spent + reserved + worst case stays within the limit, checked
 * in one conditional UPDATE so concurrent requests (and replicas) cannot overspend.
 */
export const spend = sqliteTable(
  'spend',
  {
    scope: text('scope', { enum: ['key', 'team'] }).notNull(),
    scopeId: text('scope_id').notNull(),
    period: text('period', { enum: ['day', 'week', 'month'] }).notNull(),
    periodStart: integer('period_start').notNull(),
    spentMicros: integer('spent_micros').notNull().default(0),
    reservedMicros: integer('reserved_micros').notNull().default(0),
    requests: integer('requests').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.scope, t.scopeId, t.period, t.periodStart] })],
);

/** One open or settled budget reservation per request and budget. */
export const reservations = sqliteTable(
  'reservations',
  {
    requestId: text('request_id').notNull(),
    scope: text('scope', { enum: ['key', 'team'] }).notNull(),
    scopeId: text('scope_id').notNull(),
    period: text('period', { enum: ['day', 'week', 'month'] }).notNull(),
    periodStart: integer('period_start').notNull(),
    reservedMicros: integer('reserved_micros').notNull(),
    actualMicros: integer('actual_micros'),
    createdAt: integer('created_at').notNull(),
    settledAt: integer('settled_at'),
    /** The gateway instance holding this lease (gateway_instances.id); null for rows from before leases had owners. */
    owner: text('owner'),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.scope, t.scopeId, t.period] }), index('reservations_open').on(t.settledAt, t.createdAt), index('reservations_owner').on(t.owner, t.settledAt)],
);

/**
 * Live gateway instances. Each one bumps its `beat` every few seconds; another instance that sees
 * a beat stand still for the liveness timeout (by its own clock, so no two clocks are compared)
 * releases that instance's budget leases and removes the row.
 */
export const gatewayInstances = sqliteTable('gateway_instances', {
  id: text('id').primaryKey(),
  beat: integer('beat').notNull().default(0),
  startedAt: integer('started_at').notNull(),
});

/**
 * Rate-limit room granted per subject and fixed one-minute window (window_start in the database
 * server's clock). Instances lease slices of a window with one conditional upsert and give
 * unused room back, so the sum over all instances never passes the rpm or tpm.
 */
export const rateWindows = sqliteTable(
  'rate_windows',
  {
    subject: text('subject').notNull(),
    windowStart: integer('window_start').notNull(),
    requests: integer('requests').notNull().default(0),
    tokens: integer('tokens').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.subject, t.windowStart] })],
);

/**
 * Stored Responses API responses (`store: true`), so `previous_response_id` continues a
 * conversation on any provider. Scoped to the tenant that created them: the key's hash and its
 * team; another key or team never sees the row. `expires_at` (ms) comes from responses.retention.
 * Each row holds its own turn only (its input and its response) and points at the turn before
 * it, so a conversation's storage grows linearly; the chain is read back by following
 * `previous_id`, bounded by `depth` and `chain_bytes`, which each row carries for the whole chain.
 */
export const storedResponses = sqliteTable(
  'responses',
  {
    id: text('id').primaryKey(),
    ownerKey: text('owner_key').notNull(),
    /** '' for a key without a team, so the scope compares with `=`. */
    team: text('team').notNull().default(''),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
    /** The response this one continued (previous_response_id), or null for a first turn. */
    previousId: text('previous_id'),
    /** Turns in the conversation up to and including this one (1 for a first turn). */
    depth: integer('depth').notNull().default(1),
    /** This row's size: its input items and response, as stored (bytes of JSON). */
    bytes: integer('bytes').notNull().default(0),
    /** The bytes of the whole conversation up to and including this row. */
    chainBytes: integer('chain_bytes').notNull().default(0),
    /** The request's own input items. */
    inputItems: text('input_items', { mode: 'json' }).notNull().$type<unknown[]>(),
    /**
     * Rows written by migration 0005 only: everything the model was given (the conversation before
     * it and this input). A chain read stops at such a row and takes its context whole.
     */
    context: text('context', { mode: 'json' }).$type<unknown[]>(),
    /** The response object as returned to the client. */
    response: text('response', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  },
  // The owner and team indexes cover the caps' count and sum (bytes in them), and order their eviction.
  (t) => [index('responses_expires_at').on(t.expiresAt), index('responses_owner_created').on(t.ownerKey, t.team, t.createdAt, t.bytes), index('responses_team_created').on(t.team, t.createdAt, t.bytes)],
);

/**
 * Prompt capture: the request and the answer of a request whose policy decision said
 * `log_prompts: true` (and only those), PII-masked as the decision says and size-capped
 * (capture.max_bytes per side). Joined to its usage row by request_id; written in the same
 * transaction. `expires_at` (ms) comes from capture.retention.
 */
export const promptCaptures = sqliteTable(
  'prompt_captures',
  {
    requestId: text('request_id').primaryKey(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
    /** JSON of the request as it left for the provider (after redaction). */
    request: text('request').notNull(),
    /** JSON of the answer the client got (a stream: reassembled); null when none came. */
    response: text('response'),
    /** 1 when either side was cut at capture.max_bytes (that side is then a prefix, not JSON). */
    truncated: integer('truncated', { mode: 'boolean' }).notNull().default(false),
    /** PII types masked, comma-separated. */
    redacted: text('redacted').notNull().default(''),
  },
  (t) => [index('prompt_captures_expires_at').on(t.expiresAt)],
);

/**
 * The decision log: one row per policy decision (allowed and denied, as sampled), written in
 * batches off the request path. `input` is the policy input as evaluated, with PII-bearing
 * free-text fields masked and capped at `policy.decision_log.max_input_bytes`; prompt text is
 * never part of it. `request_id` links the row to its usage row.
 */
export const decisions = sqliteTable(
  'decisions',
  {
    decisionId: text('decision_id').primaryKey(),
    requestId: text('request_id').notNull(),
    createdAt: integer('created_at').notNull(),
    policyRevision: text('policy_revision').notNull(),
    allowed: integer('allowed', { mode: 'boolean' }).notNull(),
    httpStatus: integer('http_status'),
    endpoint: text('endpoint'),
    model: text('model'),
    keyName: text('key_name'),
    team: text('team'),
    /** The input document (JSON), masked; `{"$truncated": …}` when it was over the cap. */
    input: text('input').notNull(),
    /** Bytes of the masked input before any cap. */
    inputBytes: integer('input_bytes').notNull(),
    inputTruncated: integer('input_truncated', { mode: 'boolean' }).notNull().default(false),
    /** The decision document (JSON) the gateway enforced. */
    result: text('result').notNull(),
    reasons: text('reasons', { mode: 'json' }).$type<string[]>(),
    /** Set when the deny came from a failure (undefined, invalid_decision, out_of_fuel…), not from the policy. */
    failure: text('failure'),
    evalUs: integer('eval_us').notNull().default(0),
  },
  (t) => [index('decisions_created_at').on(t.createdAt), index('decisions_request').on(t.requestId)],
);

/** The exact response cache (src/cache/): one stored answer per fingerprint, shared by every instance on the database. */
export const cacheEntries = sqliteTable(
  'cache_entries',
  {
    key: text('key').primaryKey(),
    /** Whose entry it is: `key:<id>`, `team:<id>` or `global` (the fingerprint includes it too). */
    tenant: text('tenant').notNull(),
    team: text('team'),
    endpoint: text('endpoint').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    publicModel: text('public_model').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    lastHitAt: integer('last_hit_at').notNull(),
    hits: integer('hits').notNull().default(0),
    bytes: integer('bytes').notNull(),
    costMicros: integer('cost_micros').notNull().default(0),
    answer: text('answer').notNull(),
  },
  (t) => [index('cache_entries_expires_at').on(t.expiresAt), index('cache_entries_last_hit_at').on(t.lastHitAt), index('cache_entries_team').on(t.team), index('cache_entries_public_model').on(t.publicModel)],
);
