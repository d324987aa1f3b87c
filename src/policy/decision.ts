import { z } from 'zod';
import { STRATEGIES } from '../config/schema.ts';
import { PII_TYPES } from './pii.ts';

/**
 * The decision document a policy returns (`data.gateway.decision`). Strict: an unknown key, a
 * wrong type or a contradiction is an error, and the engine turns any error into a deny — a
 * typo in a policy must not silently drop a limit.
 */

const name = z.string().min(1);
const target = z.strictObject({ provider: name, model: name });

/**
 * `targets` is either an ordered list (try the first, fall back to the next) or a weighted set
 * `{mode: 'weighted', targets: [{provider, model, weight}]}` (pick one with probability
 * weight / sum of weights; the others, heaviest first, are its fallbacks). Both parse to
 * `{mode, targets}` so the router handles one shape.
 */
const orderedTargets = z.array(target).min(1).transform((targets) => ({ mode: 'ordered' as const, targets }));
const weightedTargets = z.strictObject({
  mode: z.literal('weighted'),
  targets: z.array(z.strictObject({ provider: name, model: name, weight: z.number().positive() })).min(1),
  /** Tried in order after every target of the set has failed. */
  fallbacks: z.array(target).min(1).optional(),
});

const ms = z.number().int().positive();

/**
 * Router knobs a policy may set per request; each overrides the config's `routing` default.
 * `fallbacks` name the targets to try after a context-length or content-policy error, which
 * are never retried against the same model and, without these, go back to the caller.
 */
const routingFields = {
  /** How a weighted set's targets are ordered: by weight, least in flight, latency or cost. */
  strategy: z.enum(STRATEGIES).optional(),
  timeouts: z.strictObject({ connect_ms: ms.optional(), ttfb_ms: ms.optional(), idle_ms: ms.optional(), total_ms: ms.optional() }).optional(),
  retries: z.strictObject({ max_retries: z.number().int().min(0).max(10).optional(), max_attempts: z.number().int().min(1).max(50).optional(), budget_ms: z.number().int().min(0).optional() }).optional(),
  fallbacks: z.strictObject({ context_length: z.array(target).min(1).optional(), content_policy: z.array(target).min(1).optional() }).optional(),
};

/**
 * The response cache for one request: `mode` reads (serve a stored answer), writes (store this
 * answer) or both; `ttl_s` bounds a written entry's age (default: the config's
 * `cache.default_ttl_s`); `scope` is whose entries are shared: the key's own (the default), the
 * team's, or everyone's (`global`: only for prompts with nothing tenant-specific); `semantic`
 * also serves answers to reworded last turns at or above `threshold` similarity; `bypass` lets
 * the client skip the cache with `x-tollgate-cache: bypass|refresh`.
 */
const cacheDecision = z.strictObject({
  mode: z.enum(['off', 'read', 'write', 'read_write']),
  ttl_s: z.number().int().positive().optional(),
  scope: z.enum(['key', 'team', 'global']).optional(),
  semantic: z.strictObject({ threshold: z.number().min(0.5).max(1).optional() }).optional(),
  bypass: z.boolean().optional(),
});

export const decisionSchema = z
  .strictObject({
    allowed: z.boolean(),
    /** On deny: the status the client gets (default 403). */
    http_status: z.number().int().min(400).max(599).optional(),
    /** On deny: the message the client gets. */
    message: z.string().optional(),
    targets: z.union([orderedTargets, weightedTargets]).optional(),
    ...routingFields,
    budget: z
      .strictObject({
        limit_usd: z.number().nonnegative(),
        period: z.enum(['day', 'week', 'month']),
        scope: z.enum(['key', 'team']),
        /** Alert thresholds in percent of the limit (each fires once per period); default: the config's `alerts.budget_thresholds`. */
        alert_at: z.array(z.number().int().min(1).max(1000)).min(1).max(10).optional(),
      })
      .optional(),
    rate_limit: z
      .strictObject({ rpm: z.number().int().nonnegative().optional(), tpm: z.number().int().nonnegative().optional() })
      .refine((r) => r.rpm !== undefined || r.tpm !== undefined, 'rate_limit needs rpm or tpm')
      .optional(),
    /** Caps the completion tokens requested (lowers max_tokens, sets it when absent). */
    max_tokens: z.number().int().positive().optional(),
    /** PII types to mask in the prompt before it leaves the gateway. */
    redact: z.array(z.enum(PII_TYPES)).optional(),
    /** The response cache for this request (docs/cache.md). */
    cache: cacheDecision.optional(),
    /** Added to the usage record, for reports. */
    tags: z.array(z.string()).optional(),
    /** Whether prompts and completions may be stored in logs (default false). */
    log_prompts: z.boolean().optional(),
    /** `anthropic-beta` values allowed for this request on top of the providers' `allowed_betas`. */
    allow_betas: z.array(name).optional(),
    /** Server-side tools allowed for this request on top of the providers' `allowed_server_tools`. */
    allow_server_tools: z.array(name).optional(),
    /** Why the policy decided what it did, for logs and `tollgate policy eval`. */
    reasons: z.array(z.string()).optional(),
  })
  .superRefine((d, ctx) => {
    if (d.allowed && (d.http_status !== undefined || d.message !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'http_status and message are only for denies', path: ['http_status'] });
    }
  });

export type Decision = z.output<typeof decisionSchema>;
export type DecisionTargets = NonNullable<Decision['targets']>;
export type TargetPlan = DecisionTargets;

export type ParseDecisionResult = { ok: true; decision: Decision } | { ok: false; error: string };

/** Validates a raw policy result. Never throws. */
export function parseDecision(raw: unknown): ParseDecisionResult {
  const r = decisionSchema.safeParse(raw);
  if (r.success) return { ok: true, decision: r.data };
  const error = r.error.issues.map((i) => `${i.path.length ? formatPath(i.path) + ': ' : ''}${i.message}`).join('; ');
  return { ok: false, error };
}

function formatPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

export const DEFAULT_DENY_STATUS = 403;
export const DEFAULT_DENY_MESSAGE = 'The request was denied by the gateway policy.';

/** A deny as the gateway answers it: the policy's status and message, else the defaults. */
export function withDenyDefaults(d: Decision): Decision {
  if (d.allowed) return d;
  return { ...d, http_status: d.http_status ?? DEFAULT_DENY_STATUS, message: d.message ?? DEFAULT_DENY_MESSAGE };
}

/**
 * The JSON Schema of what a policy may return (the input side of `decisionSchema`: targets as
 * written, before the transform). Policies are checked against it at compile time.
 */
export function decisionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(decisionSchema, { target: 'draft-2020-12', io: 'input' });
}
