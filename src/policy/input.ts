import { METADATA_HEADER, parseRequestMetadata } from './request-metadata.ts';
import { PII_TYPES } from './pii.ts';
import { requestFacts, type RequestBody, type RequestFacts } from './request-facts.ts';
import { WEEKDAYS, type PolicyInput, type PolicyKey, type PolicyProvider, type UsageCounters } from './input-schema.ts';

export * from './input-schema.ts';
export type { RequestBody } from './request-facts.ts';

/**
 * Request headers a policy may see. Credentials (authorization, x-api-key, cookies) and
 * anything not listed never reach the input document, so policies cannot leak them to logs.
 */
export const POLICY_HEADERS: readonly string[] = [
  'user-agent',
  'x-request-id',
  'anthropic-version',
  'anthropic-beta',
  'openai-organization',
  'openai-project',
  'x-stainless-lang',
  'x-stainless-package-version',
];

export { METADATA_HEADER };
export const TAGS_HEADER = 'x-tollgate-tags';

export type BuildInputArgs = RequestBody & {
  headers: Headers;
  clientIp?: string | null;
  /** The authenticated client key; null or undefined for anonymous requests. */
  key?: Partial<PolicyKey> | null;
  usage?: { key?: Partial<UsageCounters>; team?: Partial<UsageCounters> };
  providers?: Record<string, PolicyProvider>;
  /** The catalog's own target for the requested model, when the caller resolved it. */
  catalogTarget?: { provider: string; model: string } | null;
  now: Date;
  /** The request's facts when the caller already has them (the exchange works them out once). */
  facts?: RequestFacts;
};

const ZERO_USAGE: UsageCounters = { day_usd: 0, month_usd: 0, day_requests: 0, month_requests: 0, minute_requests: 0, minute_tokens: 0 };

/**
 * Builds the policy input from an already-validated request. Counts, the token estimate and
 * the PII signals come from the request's facts (computed here only when not given). Throws GatewayError('invalid_request') for a malformed
 * `x-tollgate-metadata` header, the only client input this reads that was not validated before.
 */
export function buildInput(args: BuildInputArgs): PolicyInput {
  const facts = args.facts ?? requestFacts(args);
  const metadata = { ...bodyMetadata(args), ...parseRequestMetadata(args.headers.get(METADATA_HEADER)) };
  const tags = unique([...splitList(args.headers.get(TAGS_HEADER)), ...splitList(metadata.tags)]);
  const headers: Record<string, string> = {};
  for (const name of POLICY_HEADERS) {
    const v = args.headers.get(name);
    if (v !== null) headers[name] = v;
  }
  const k = args.key ?? {};
  return {
    request: {
      endpoint: args.endpoint,
      model: args.body.model,
      catalog_target: args.catalogTarget ?? null,
      stream: facts.stream,
      max_tokens: facts.maxTokens,
      estimated_input_tokens: Math.ceil(facts.chars / 4) + facts.tokenIds,
      message_count: facts.messageCount,
      image_count: facts.imageCount,
      tool_count: facts.toolNames.length,
      tool_names: facts.toolNames,
      betas: requestedBetas(args.headers),
      server_tools: facts.serverTools,
      metadata,
      tags,
      client_ip: args.clientIp ?? null,
      headers,
    },
    key: {
      id: k.id ?? null,
      name: k.name ?? null,
      team: k.team ?? null,
      user: k.user ?? null,
      tags: k.tags ?? [],
      created_at: k.created_at ?? null,
      expires_at: k.expires_at ?? null,
    },
    usage: { key: { ...ZERO_USAGE, ...args.usage?.key }, team: { ...ZERO_USAGE, ...args.usage?.team } },
    providers: args.providers ?? {},
    time: timeFacts(args.now),
    signals: { pii: facts.pii, pii_types: PII_TYPES.filter((t) => facts.pii[t] > 0) },
  };
}

/** The `anthropic-beta` header's values, split, trimmed and de-duplicated. */
export function requestedBetas(headers: Headers): string[] {
  return unique(splitList(headers.get('anthropic-beta')));
}

export function timeFacts(now: Date): PolicyInput['time'] {
  return { rfc3339: now.toISOString(), weekday: WEEKDAYS[now.getUTCDay()] ?? 'sunday', hour: now.getUTCHours() };
}

/** String values of the body's `metadata` (OpenAI: a string map; Anthropic: `user_id`). */
function bodyMetadata(args: RequestBody): Record<string, string> {
  if (args.endpoint === 'embeddings') return {};
  const raw: unknown = args.body.metadata;
  const out: Record<string, string> = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function splitList(value: string | null | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
