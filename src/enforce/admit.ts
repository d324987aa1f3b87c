import type { Runtime } from '../config/runtime.ts';
import { GatewayError } from '../lib/errors.ts';
import type { Limit } from '../limits/rate-limiter.ts';
import { buildInput, requestedBetas, type RequestBody } from '../policy/input.ts';
import { denyError } from '../policy/deny.ts';
import { decisionRecord } from '../policy/decision-record.ts';
import type { Decision } from '../policy/decision.ts';
import type { Target } from '../routing/target.ts';
import type { Principal } from './principal.ts';
import { spendBook, type SpendHold } from '../store/spend-book.ts';
import type { TeamRow } from '../store/team-cache.ts';
import { exchangeFacts, type ExchangeFacts } from './facts.ts';
import { budgetScopes } from './budget-scopes.ts';
import { capMaxTokens } from './cap-tokens.ts';
import type { EnforceDeps } from './deps.ts';
import { assertModelAllowed } from './model-glob.ts';
import { providerFacts } from './provider-facts.ts';
import { redactBody } from './redact-body.ts';
import type { PiiType } from '../policy/pii.ts';
import { planTargets } from './targets.ts';
import { assertFeaturesAllowed } from './provider-features.ts';
import { boundRequest, promptBound } from './worst-case.ts';
import { promptText } from './prompt-text.ts';

export interface AdmitArgs<B extends RequestBody> {
  runtime: Runtime;
  principal: Principal;
  requestId: string;
  request: B;
  headers: Headers;
  /** The client's address; asked only when a policy runs (the lookup is not free). */
  clientIp?: () => string | undefined;
  kind: 'chat' | 'embeddings';
  /** The exchange's facts about the parsed request (worked out here when the caller has none). */
  facts?: ExchangeFacts;
}

export interface Admission<B extends RequestBody> {
  request: B;
  publicModel: string;
  targets: Target[];
  decision?: Decision;
  decisionId?: string;
  policyRevision?: string;
  /** Headers that tell the caller what the gateway decided. */
  headers: Record<string, string>;
  /** PII types masked in the prompt before it left (the decision's `redact` that matched). */
  redacted: PiiType[];
  /** The prompt's text as it leaves (after redaction): the input bound and the tokenizer fallback both read it. */
  prompt: string;
  /** The exchange's estimate of the prompt's tokens (what the hold reserved for input). */
  inputTokens: number;
  /** The request's rate and budget holds in the spend book; the exchange settles it when it closes. */
  hold: SpendHold;
}

/**
 * One request's way through the gate: catalog → key's model list → policy decision → targets,
 * token cap and redaction → rate limits → budget reservation. The policy decides; this enforces.
 */
export async function admit<B extends RequestBody>(deps: EnforceDeps, a: AdmitArgs<B>): Promise<Admission<B>> {
  const { runtime, principal } = a;
  const requested = a.request.body.model;
  const entry = runtime.catalog.resolve(requested);
  if (!entry) throw new GatewayError('not_found', `The model '${requested}' does not exist or is not available on this gateway.`, { param: 'model' });
  if (entry.model.kind !== a.kind) {
    throw new GatewayError('invalid_request', `The model '${requested}' is ${entry.model.kind === 'chat' ? 'a chat model' : 'an embeddings model'} and cannot serve this endpoint.`, { param: 'model' });
  }
  const team = await deps.team?.(principal.team);
  assertModelAllowed({ key: principal.models, team: team?.allowedModels }, requested, entry.name);
  const catalogTarget = { provider: entry.model.provider, model: entry.model.model };
  const { facts, framing, inputTokens: estimatedInput } = a.facts ?? exchangeFacts(a.request, a.kind);

  let decision: Decision | undefined;
  let decisionId: string | undefined;
  let policyRevision: string | undefined;
  let found: readonly PiiType[] = [];
  const headers: Record<string, string> = {};
  if (deps.policy) {
    const keySubject = `key:${principal.keyId ?? principal.name}`;
    const teamSubject = principal.team ? `team:${principal.team}` : undefined;
    const minute = (s: string | undefined) => (s ? deps.limiter.peek(s) : { requests: 0, tokens: 0 });
    const [keySpend, teamSpend] = await Promise.all([deps.counters?.('key', principal.keyId ?? principal.keyHash), deps.counters?.('team', principal.team)]);
    const input = buildInput({
      ...a.request,
      facts,
      headers: a.headers,
      clientIp: a.clientIp?.() ?? null,
      key: principal.keyHash
        ? { id: principal.keyId ?? null, name: principal.name, team: principal.team ?? null, user: principal.user ?? null, tags: principal.tags, created_at: iso(principal.createdAt), expires_at: iso(principal.expiresAt) }
        : null,
      usage: {
        key: { ...keySpend, minute_requests: minute(keySubject).requests, minute_tokens: minute(keySubject).tokens },
        team: { ...teamSpend, minute_requests: minute(teamSubject).requests, minute_tokens: minute(teamSubject).tokens },
      },
      providers: providerFacts(runtime, deps.health),
      catalogTarget,
      now: new Date(),
    });
    found = input.signals.pii_types;
    const ev = deps.policy.evaluate(input);
    // Sampled first: an unsampled decision costs no masking or serialising.
    const log = deps.decisions;
    log?.record(ev.decision.allowed, () => decisionRecord({ requestId: a.requestId, input, evaluation: ev, maxInputBytes: log.maxInputBytes, now: Date.now() }));
    decisionId = ev.decision_id;
    policyRevision = ev.revision;
    headers['x-tollgate-decision-id'] = ev.decision_id;
    const denied = denyError(ev);
    deps.metrics?.decision(ev.failure ? 'error' : denied ? 'deny' : 'allow', denied?.status ?? 200, ev.eval_us);
    if (denied) throw denied;
    decision = ev.decision;
  }

  const planned = planTargets(decision, catalogTarget, (p) => runtime.adapters.has(p));
  if (!planned.length) throw new GatewayError('unavailable', `No configured provider is left for '${requested}' after the policy's routing.`);
  assertFeaturesAllowed(runtime, planned, a.request, { betas: requestedBetas(a.headers), serverTools: facts.serverTools }, decision);
  let request = capMaxTokens(a.request, decision?.max_tokens);
  if (request !== a.request) headers['x-tollgate-max-tokens'] = String(decision!.max_tokens);
  // Only the types the prompt holds are named: a policy that always redacts says nothing otherwise.
  const redacted = (decision?.redact ?? []).filter((t) => found.includes(t));
  request = redactBody(request, redacted);
  if (redacted.length) headers['x-tollgate-redacted'] = redacted.join(',');

  const limits = rateLimits(principal, team, decision);
  const scopes = deps.budgets ? budgetScopes(principal, team, decision) : [];
  const prompt = promptText(request);
  const bounded = boundRequest(runtime, request, planned, { inputTokens: promptBound(prompt, facts.tokenIds + framing), billed: scopes.length > 0, capped: limits.some((l) => l.tpm), defaultCap: deps.defaultMaxTokens, hourWrites: decision?.prompt_cache?.mode === 'auto' && decision.prompt_cache.ttl === '1h' });
  request = bounded.request;
  const targets = bounded.targets;
  if (bounded.cap !== undefined) headers['x-tollgate-max-tokens'] = String(bounded.cap);
  // Prompt and the output bound are held against tpm now; settlement puts in what was used.
  const held = estimatedInput * bounded.inputCopies + (Number.isFinite(bounded.outputTokens) ? bounded.outputTokens : 0);
  // Before the hold: a budget that refuses this request is reported too.
  if (scopes.length) deps.metrics?.budgets(scopes, { key: principal.name, team: principal.team });
  const hold = await (deps.book ?? spendBook(deps)).hold({ limits, tokens: held, scopes, worstMicros: bounded.worstMicros });

  return {
    request,
    publicModel: requested,
    targets,
    decision,
    decisionId,
    policyRevision,
    headers,
    redacted,
    prompt,
    inputTokens: estimatedInput,
    hold,
  };
}

/**
 * The key's and the team's limits, and the policy's. The key and its team are always counted,
 * limited or not, so the policy's minute counters are true for every caller.
 */
function rateLimits(principal: Principal, team: TeamRow | undefined, decision: Decision | undefined): Limit[] {
  const keySubject = `key:${principal.keyId ?? principal.name}`;
  const limits: Limit[] = [{ subject: keySubject, rpm: principal.rpm, tpm: principal.tpm }];
  if (principal.team) limits.push({ subject: `team:${principal.team}`, rpm: team?.rpm ?? undefined, tpm: team?.tpm ?? undefined });
  if (decision?.rate_limit) {
    const subject = principal.team ? `team:${principal.team}:policy` : `${keySubject}:policy`;
    limits.push({ subject, rpm: decision.rate_limit.rpm, tpm: decision.rate_limit.tpm });
  }
  return limits;
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
