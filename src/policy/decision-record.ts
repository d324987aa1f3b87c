import type { DecisionRow } from '../store/decision-log.ts';
import type { PolicyEvaluation } from './engine.ts';
import type { PolicyInput } from './input-schema.ts';
import { redact } from './pii.ts';

/** The key of the marker that stands in for an input over the cap. */
export const TRUNCATED = '$truncated';

/**
 * The input as the decision log keeps it. It never holds prompt text (the input document has
 * none: only counts and PII signals). The free-text fields a client or an operator fills
 * (metadata, tags, allow-listed headers, key name, user and tags) have PII masked as
 * `[REDACTED:type]`, and the client address is cut to its network (/24, /48).
 */
export function maskedInput(input: PolicyInput): PolicyInput {
  const r = (s: string) => redact(s);
  const values = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r(v)]));
  const { request, key } = input;
  return {
    ...input,
    request: { ...request, metadata: values(request.metadata), tags: request.tags.map(r), headers: values(request.headers), client_ip: maskIp(request.client_ip) },
    key: { ...key, name: key.name === null ? null : r(key.name), user: key.user === null ? null : r(key.user), tags: key.tags.map(r) },
  };
}

/** An IPv4 address to its /24 (`203.0.113.0`), an IPv6 one to its /48 (`2001:db8:1::`). */
export function maskIp(ip: string | null): string | null {
  if (ip === null) return null;
  const v4 = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/.exec(ip) ?? /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/i.exec(ip);
  if (v4) return `${v4[1]}.0`;
  if (ip.includes(':')) {
    const [head = ''] = ip.split('::');
    const groups = head.split(':').filter(Boolean).slice(0, 3);
    return `${groups.join(':')}::`;
  }
  return '[REDACTED:ip]';
}

/**
 * A decision's text and reasons as the log keeps them, once per decision object: the engine
 * hands the same frozen decision to every request that gets the same answer.
 */
const maskedDecisions = new WeakMap<object, { result: string; reasons: string[] | null }>();
function maskedDecision(decision: PolicyEvaluation['decision']): { result: string; reasons: string[] | null } {
  let m = maskedDecisions.get(decision);
  if (!m) {
    m = { result: redact(JSON.stringify(decision)), reasons: decision.reasons?.map((r) => redact(r)) ?? null };
    // Only a decision nobody can change afterwards is remembered.
    if (Object.isFrozen(decision)) maskedDecisions.set(decision, m);
  }
  return { result: m.result, reasons: m.reasons && [...m.reasons] };
}

export interface DecisionRecordArgs {
  requestId: string;
  input: PolicyInput;
  evaluation: PolicyEvaluation;
  maxInputBytes: number;
  now: number;
}

/** The decision log row for one evaluation: masked input (or a truncation marker over the cap), result, reasons. */
export function decisionRecord({ requestId, input, evaluation, maxInputBytes, now }: DecisionRecordArgs): DecisionRow {
  const masked = JSON.stringify(maskedInput(input));
  const bytes = Buffer.byteLength(masked);
  const truncated = bytes > maxInputBytes;
  const { decision } = evaluation;
  return {
    decisionId: evaluation.decision_id,
    requestId,
    createdAt: now,
    policyRevision: evaluation.revision,
    allowed: decision.allowed,
    httpStatus: decision.allowed ? null : (decision.http_status ?? null),
    endpoint: input.request.endpoint,
    model: input.request.model,
    keyName: input.key.name === null ? null : redact(input.key.name),
    team: input.key.team,
    input: truncated ? JSON.stringify({ [TRUNCATED]: { bytes, limit: maxInputBytes, note: 'the masked input was over policy.decision_log.max_input_bytes; it is not kept and cannot be replayed' }, request: { endpoint: input.request.endpoint, model: input.request.model } }) : masked,
    inputBytes: bytes,
    inputTruncated: truncated,
    // A policy may echo input values (a user's email) into its message, reasons or an error: masked too.
    ...maskedDecision(decision),
    failure: evaluation.failure ? redact(`${evaluation.failure.kind}: ${evaluation.failure.detail.slice(0, 500)}`) : null,
    evalUs: evaluation.eval_us,
  };
}
