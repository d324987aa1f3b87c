import { Hono } from 'hono';
import { z } from 'zod';
import { GatewayError } from '../../../lib/errors.ts';
import { requestDetail, searchRequests, type CaptureLogRow, type DecisionLogRow, type UsageLogRow } from '../../../store/request-log.ts';
import { formatUsd } from '../../../store/usage-report.ts';
import type { Env } from '../../context.ts';
import type { AppDeps } from '../../deps.ts';
import { readQuery, storeOf } from './input.ts';

const field = z.string().min(1).max(200).optional();
const searchQuery = z.strictObject({
  request_id: field,
  decision_id: field,
  outcome: field,
  model: field,
  team: field,
  before: z.coerce.number().int().nonnegative().max(8_640_000_000_000).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** A ledger row as the admin API shows it: the key's name and never its hash. */
export function requestView(r: UsageLogRow) {
  return {
    object: 'request' as const,
    request_id: r.requestId,
    created_at: new Date(r.createdAt).toISOString(),
    endpoint: r.endpoint,
    key_name: r.keyName,
    team: r.team,
    user: r.user,
    tags: r.tags ?? [],
    model: r.requestedModel,
    provider: r.provider,
    served_model: r.servedModel,
    attempts: r.attempts,
    status: r.status,
    outcome: r.outcome,
    stream: r.stream,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    cached_input_tokens: r.cachedInputTokens,
    cache_write_tokens: r.cacheWriteTokens,
    cache_write_1h_tokens: r.cacheWrite1hTokens,
    reasoning_tokens: r.reasoningTokens,
    cost_micros: r.costMicros,
    cost_usd: formatUsd(r.costMicros),
    usage_source: r.usageSource,
    latency_ms: r.latencyMs,
    ttft_ms: r.ttftMs,
    decision_id: r.decisionId,
    policy_revision: r.policyRevision,
    /** The outcome and why (a denial's reason), as the ledger recorded it. */
    reason: r.errorClass,
    redacted: r.redacted ? r.redacted.split(',') : [],
    dropped_params: r.droppedParams ? r.droppedParams.split(',') : [],
  };
}

const captureView = (c: CaptureLogRow) => ({
  created_at: new Date(c.createdAt).toISOString(),
  expires_at: c.expiresAt == null ? null : new Date(c.expiresAt).toISOString(),
  request: c.request,
  response: c.response,
  truncated: c.truncated,
  redacted: c.redacted ? c.redacted.split(',') : [],
});

const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const decisionView = (d: DecisionLogRow) => ({
  decision_id: d.decisionId,
  allowed: d.allowed,
  http_status: d.httpStatus,
  policy_revision: d.policyRevision,
  reasons: d.reasons ?? [],
  failure: d.failure,
  eval_us: d.evalUs,
  result: parsed(d.result),
});

/** `GET /admin/requests?request_id|decision_id|outcome|model|team&before&limit` and `GET /admin/requests/:id` (with its prompt capture). */
export function adminRequestsRoute(deps: AppDeps) {
  return new Hono<Env>()
    .get('/admin/requests', async (c) => {
      const q = readQuery(c, searchQuery);
      const rows = await searchRequests(storeOf(deps), { requestId: q.request_id, decisionId: q.decision_id, outcome: q.outcome, model: q.model, team: q.team, before: q.before, limit: q.limit });
      const last = rows.at(-1);
      return c.json({ object: 'list', data: rows.map(requestView), next_before: rows.length === q.limit && last ? last.createdAt : null });
    })
    .get('/admin/requests/:id', async (c) => {
      const found = await requestDetail(storeOf(deps), c.req.param('id'));
      if (!found) throw new GatewayError('not_found', `No request '${c.req.param('id').slice(0, 100)}' in the ledger.`, { code: 'request_not_found' });
      return c.json({ ...requestView(found.row), decision: found.decision ? decisionView(found.decision) : null, capture: found.capture ? captureView(found.capture) : null });
    });
}
