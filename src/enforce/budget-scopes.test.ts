import { expect, test } from 'bun:test';
import { parseDecision } from '../policy/decision.ts';
import { budgetScopes } from './budget-scopes.ts';
import type { TeamRow } from '../store/team-cache.ts';

const principal = { keyId: 'key_1', keyHash: 'h', name: 'ci', team: 'ml', tags: [], budget: { micros: 5_000_000, period: 'month' as const, alerts: [90] } };
const team = { id: 'ml', budgetMicros: 50_000_000, budgetPeriod: 'month', budgetAlerts: [50, 100] } as TeamRow;

test('alert thresholds come with each budget: the key, the team and the policy each set their own', () => {
  const parsed = parseDecision({ allowed: true, budget: { limit_usd: 2, period: 'day', scope: 'team', alert_at: [75] } });
  expect(parsed.ok).toBe(true);
  const scopes = budgetScopes(principal, team, parsed.ok ? parsed.decision : undefined);
  expect(scopes.map((s) => [s.scope, s.period, s.limitMicros, s.alerts])).toEqual([
    ['key', 'month', 5_000_000, [90]],
    ['team', 'month', 50_000_000, [50, 100]],
    ['team', 'day', 2_000_000, [75]],
  ]);
});

test('a policy budget without alert_at uses the config default; a bad alert_at is a malformed decision (a deny)', () => {
  const plain = parseDecision({ allowed: true, budget: { limit_usd: 2, period: 'day', scope: 'key' } });
  expect(plain.ok && budgetScopes({ ...principal, budget: undefined }, undefined, plain.decision)[0]!.alerts).toBeUndefined();
  const bad = parseDecision({ allowed: true, budget: { limit_usd: 2, period: 'day', scope: 'key', alert_at: [0] } });
  expect(bad.ok).toBe(false);
  expect(bad.ok ? '' : bad.error).toContain('budget.alert_at');
});
