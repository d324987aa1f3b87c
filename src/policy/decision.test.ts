import { describe, expect, test } from 'bun:test';
import { parseDecision } from './decision.ts';

describe('parseDecision', () => {
  test("prompt_cache: 'auto' is short for {mode: 'auto'}; a wrong mode, ttl or key is an error (a deny)", () => {
    expect(parseDecision({ allowed: true, prompt_cache: 'auto' })).toEqual({ ok: true, decision: { allowed: true, prompt_cache: { mode: 'auto' } } });
    expect(parseDecision({ allowed: true, prompt_cache: { mode: 'auto', ttl: '1h' } })).toEqual({ ok: true, decision: { allowed: true, prompt_cache: { mode: 'auto', ttl: '1h' } } });
    for (const bad of ['on', { mode: 'auto', ttl: '2h' }, { mode: 'auto', breakpoints: 2 }, { ttl: '1h' }]) {
      const r = parseDecision({ allowed: true, prompt_cache: bad });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain('prompt_cache');
    }
  });

  test('a minimal allow', () => {
    expect(parseDecision({ allowed: true })).toEqual({ ok: true, decision: { allowed: true } });
  });

  test('every field', () => {
    const raw = {
      allowed: true,
      targets: [{ provider: 'openai', model: 'gpt-4o-mini' }, { provider: 'anthropic', model: 'claude-haiku-4-5' }],
      budget: { limit_usd: 500, period: 'month', scope: 'team' },
      rate_limit: { rpm: 60, tpm: 100000 },
      max_tokens: 4096,
      redact: ['email', 'card'],
      cache: { mode: 'read_write', ttl_s: 3600 },
      tags: ['team:research'],
      log_prompts: false,
      reasons: ['fallback chain for gpt-4o'],
    };
    const r = parseDecision(raw);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.decision.targets).toEqual({ mode: 'ordered', targets: raw.targets });
    expect(r.decision.budget).toEqual({ limit_usd: 500, period: 'month', scope: 'team' });
  });

  test('weighted targets', () => {
    const targets = { mode: 'weighted' as const, targets: [{ provider: 'a', model: 'm', weight: 3 }, { provider: 'b', model: 'm', weight: 1 }] };
    expect(parseDecision({ allowed: true, targets })).toEqual({ ok: true, decision: { allowed: true, targets } });
  });

  test('an explicit deny with status and message', () => {
    expect(parseDecision({ allowed: false, http_status: 429, message: 'budget used', reasons: ['r'] })).toEqual({
      ok: true,
      decision: { allowed: false, http_status: 429, message: 'budget used', reasons: ['r'] },
    });
  });

  test.each([
    ['undefined', undefined, 'expected object'],
    ['null', null, 'expected object'],
    ['a boolean', true, 'expected object'],
    ['missing allowed', { targets: [] }, 'allowed'],
    ['allowed as a string', { allowed: 'true' }, 'allowed'],
    ['an unknown key (typo)', { allowed: true, rate_limits: { rpm: 1 } }, 'rate_limits'],
    ['an unknown key inside', { allowed: true, budget: { limit_usd: 1, period: 'month', scope: 'team', hard: true } }, 'budget'],
    ['empty targets', { allowed: true, targets: [] }, 'targets'],
    ['a target without a model', { allowed: true, targets: [{ provider: 'a' }] }, 'targets'],
    ['weighted with weight 0', { allowed: true, targets: { mode: 'weighted', targets: [{ provider: 'a', model: 'm', weight: 0 }] } }, 'targets'],
    ['a budget period of year', { allowed: true, budget: { limit_usd: 1, period: 'year', scope: 'team' } }, 'budget.period'],
    ['a negative budget', { allowed: true, budget: { limit_usd: -1, period: 'day', scope: 'key' } }, 'budget.limit_usd'],
    ['an empty rate_limit', { allowed: true, rate_limit: {} }, 'rate_limit'],
    ['a fractional rpm', { allowed: true, rate_limit: { rpm: 1.5 } }, 'rate_limit.rpm'],
    ['max_tokens 0', { allowed: true, max_tokens: 0 }, 'max_tokens'],
    ['an unknown PII type', { allowed: true, redact: ['ssn'] }, 'redact[0]'],
    ['a cache mode typo', { allowed: true, cache: { mode: 'on' } }, 'cache.mode'],
    ['a status on an allow', { allowed: true, http_status: 200 }, 'http_status'],
    ['a 2xx deny status', { allowed: false, http_status: 200 }, 'http_status'],
  ])('rejects %s', (_why, raw, mentions) => {
    const r = parseDecision(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(mentions);
  });
});
