import type { Decision } from './decision.ts';

/** How a decision changed, in the order a report lists them. */
export const CHANGE_KINDS = ['allowed_to_denied', 'denied_to_allowed', 'deny_response', 'targets', 'routing', 'budget', 'limits', 'redaction', 'other'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** The fields each kind is about: compared for an allowed decision, shown in examples. */
export const CHANGE_FIELDS: Record<ChangeKind, (keyof Decision)[]> = {
  allowed_to_denied: ['allowed', 'http_status', 'message'],
  denied_to_allowed: ['allowed', 'message', 'targets'],
  deny_response: ['http_status', 'message'],
  targets: ['targets'],
  routing: ['strategy', 'timeouts', 'retries', 'fallbacks'],
  budget: ['budget'],
  limits: ['rate_limit', 'max_tokens'],
  redaction: ['redact'],
  other: ['cache', 'tags', 'log_prompts', 'allow_betas', 'allow_server_tools', 'prompt_cache'],
};

/** The kinds an allowed decision can change by (a denied one's other fields have no effect). */
const ALLOWED_KINDS = ['targets', 'routing', 'budget', 'limits', 'redaction', 'other'] as const;

/**
 * The ways `after` differs from `before` in what the gateway would do. Reasons alone are not a
 * change (they explain, they do not enforce). A flip of `allowed` is the one change reported.
 */
export function decisionChanges(before: Decision, after: Decision): ChangeKind[] {
  if (before.allowed && !after.allowed) return ['allowed_to_denied'];
  if (!before.allowed && after.allowed) return ['denied_to_allowed'];
  if (!before.allowed) return same(before.http_status, after.http_status) && same(before.message, after.message) ? [] : ['deny_response'];
  const kinds: ChangeKind[] = [];
  for (const kind of ALLOWED_KINDS) if (CHANGE_FIELDS[kind].some((f) => !same(before[f], after[f]))) kinds.push(kind);
  return kinds;
}

/** Structural equality with object keys in any order (JSON from the database and from the engine). */
function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}
