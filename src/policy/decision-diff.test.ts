import { expect, test } from 'bun:test';
import { decisionChanges } from './decision-diff.ts';
import type { Decision } from './decision.ts';

const allow = (over: Partial<Decision> = {}): Decision => ({ allowed: true, ...over });
const t = (model: string) => ({ mode: 'ordered' as const, targets: [{ provider: 'p', model }] });

test('a flip of allowed is the one change reported', () => {
  expect(decisionChanges(allow({ budget: { limit_usd: 1, period: 'day', scope: 'key' } }), { allowed: false, http_status: 403, message: 'x' })).toEqual(['allowed_to_denied']);
  expect(decisionChanges({ allowed: false, http_status: 403, message: 'x' }, allow())).toEqual(['denied_to_allowed']);
});

test('allowed decisions are compared field group by field group; reasons and key order do not count', () => {
  expect(decisionChanges(allow({ targets: t('a'), reasons: ['r1'] }), allow({ targets: t('a'), reasons: ['r2'] }))).toEqual([]);
  expect(decisionChanges(allow({ budget: { limit_usd: 1, period: 'day', scope: 'key' } }), allow({ budget: { scope: 'key', period: 'day', limit_usd: 1 } }))).toEqual([]);
  expect(decisionChanges(allow({ targets: t('a'), max_tokens: 10, redact: ['email'] }), allow({ targets: t('b'), max_tokens: 20 }))).toEqual(['targets', 'limits', 'redaction']);
  expect(decisionChanges(allow(), allow({ strategy: 'latency' }))).toEqual(['routing']);
  expect(decisionChanges(allow(), allow({ budget: { limit_usd: 2, period: 'month', scope: 'team' } }))).toEqual(['budget']);
  expect(decisionChanges(allow({ tags: ['a'] }), allow())).toEqual(['other']);
});

test("two denies differ only by what the client gets", () => {
  expect(decisionChanges({ allowed: false, http_status: 403, message: 'a', reasons: ['x'] }, { allowed: false, http_status: 403, message: 'a' })).toEqual([]);
  expect(decisionChanges({ allowed: false, http_status: 403, message: 'a' }, { allowed: false, http_status: 429, message: 'a' })).toEqual(['deny_response']);
});
