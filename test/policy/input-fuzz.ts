import type { Json } from '../../src/policy/compiler/types.ts';
import { prng } from '../support/prng.ts';

/**
 * Seeded generator of policy input documents for the differential test: mostly well-formed
 * inputs around the default policies' thresholds, plus edge cases a buggy caller or a future
 * field could produce (missing fields, nulls, wrong types, empty and unicode strings, huge
 * numbers, weekend and hour boundaries, PII combinations, unknown teams and providers).
 */

type Obj = { [key: string]: Json };

export function inputGenerator(seed: number) {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const chance = (p: number) => rnd() < p;
  const subset = <T>(xs: readonly T[]): T[] => xs.filter(() => chance(0.3));

  const MODELS = ['gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4o-mini', 'claude-sonnet', 'claude-haiku', 'mock-gpt', 'gemini-flash', '', 'ünïcödé-模型-🚀', 'gpt-4*', 'x'.repeat(300)];
  const ODD: Json[] = [null, 0, -1, true, [], {}, 1e308, 'null'];
  const NUMBERS = [0, 1, 199, 200, 201, 5000, 99.99, 100, 499.999, 500, 1e15, 2 ** 53 + 2, 1e308, -1, -0.5, 0.5];
  const TEAMS = ['research', 'support', 'unknown-team', '', 'Research', 'ünï', 'support ', null];
  const KEYS = ['ci-bot', 'other', '', null];
  const PROVIDERS = ['openai', 'anthropic', 'bedrock', 'mock', 'gemini', 'local-llm'];
  const PII = ['email', 'phone', 'card', 'iban', 'national_id'];
  const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'Funday', ''];
  const HOURS = [0, 7, 8, 12, 17, 18, 23, 24, -1, 7.99, 8.5];

  const odd = (normal: () => Json, p = 0.05): Json => (chance(p) ? pick(ODD) : normal());

  function provider(): Json {
    return odd(() => ({
      healthy: chance(0.9),
      error_rate: pick([0, 0.01, 0.5, 1]),
      p50_ms: chance(0.8) ? pick([50, 800, 12000]) : null,
      data_residency: chance(0.1) ? pick(['', 'PRIVATE', 'eu']) : pick(['public', 'private']),
      type: pick(['openai', 'anthropic', 'bedrock', 'mock']),
    }));
  }

  function counters(): Json {
    return odd(() => ({
      day_usd: pick(NUMBERS),
      month_usd: chance(0.05) ? pick(ODD) : pick(NUMBERS),
      day_requests: pick([0, 10, 1e9]),
      month_requests: pick([0, 100]),
      minute_requests: pick([0, 5, 600]),
      minute_tokens: pick([0, 1000, 500000]),
    }));
  }

  function catalogTarget(): Json {
    if (chance(0.3)) return null;
    if (chance(0.05)) return pick<Json>([{ provider: 5, model: 'x' }, { provider: 'openai' }, 'openai/gpt-4o', {}]);
    return { provider: pick(PROVIDERS), model: pick(MODELS) };
  }

  function request(): Obj {
    return {
      endpoint: chance(0.05) ? pick(['', 'completions', null]) : pick(['chat.completions', 'messages', 'embeddings']),
      model: odd(() => pick(MODELS)),
      catalog_target: catalogTarget(),
      stream: chance(0.5),
      max_tokens: chance(0.3) ? null : pick([1, 1024, 8192, 100000]),
      estimated_input_tokens: odd(() => pick(NUMBERS)),
      message_count: pick([0, 1, 3, 200]),
      image_count: odd(() => pick([0, 0, 0, 1, 4])),
      tool_count: odd(() => pick([0, 0, 0, 1, 12])),
      tool_names: chance(0.8) ? [] : ['lookup', 'ünï'],
      metadata: chance(0.7) ? {} : { app: 'crm', tags: 'a,b', '': '' },
      tags: chance(0.7) ? [] : ['batch', '🚀'],
      client_ip: chance(0.5) ? null : pick(['10.0.0.1', '::1', '']),
      headers: chance(0.5) ? {} : { 'user-agent': 'curl/8', 'x-request-id': 'r-ü' },
    };
  }

  function one(): Obj {
    const providers: Obj = {};
    for (const name of subset(PROVIDERS)) providers[name] = provider();
    const piiTypes = chance(0.5) ? [] : chance(0.1) ? ['ssn', 'email'] : subset(PII);
    const pii: Obj = {};
    for (const t of PII) pii[t] = piiTypes.includes(t) ? pick([1, 3]) : 0;
    const input: Obj = {
      request: request(),
      key: {
        id: chance(0.5) ? null : 'k_1',
        name: pick(KEYS),
        team: chance(0.05) ? pick(ODD) : pick(TEAMS),
        user: chance(0.5) ? null : 'ann',
        tags: [],
        created_at: null,
        expires_at: chance(0.8) ? null : '2030-01-01T00:00:00Z',
      },
      usage: { key: counters(), team: counters() },
      providers: chance(0.03) ? pick(ODD) : providers,
      time: { rfc3339: '2025-03-07T17:59:59Z', weekday: pick(WEEKDAYS), hour: odd(() => pick(HOURS)) },
      signals: { pii, pii_types: chance(0.03) ? pick(ODD) : piiTypes },
    };
    if (chance(0.15)) dropSomething(input);
    return input;
  }

  /** Removes one field at some depth: callers may send older or partial documents. */
  function dropSomething(input: Obj): void {
    const top = pick(Object.keys(input));
    const child = input[top];
    if (chance(0.4) || !child || typeof child !== 'object' || Array.isArray(child)) {
      delete input[top];
      return;
    }
    const keys = Object.keys(child);
    if (keys.length > 0) delete child[pick(keys)];
  }

  return { one };
}
