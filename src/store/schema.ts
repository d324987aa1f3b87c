import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

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
  },
  (t) => [index('usage_created_at').on(t.createdAt), index('usage_key_created').on(t.keyHash, t.createdAt), index('usage_team_created').on(t.team, t.createdAt)],
);
