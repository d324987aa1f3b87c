import type { Decision } from '../policy/decision.ts';
import type { Principal } from './principal.ts';
import type { BudgetScope } from '../store/budgets.ts';
import type { TeamRow } from '../store/team-cache.ts';

/**
 * Every budget that applies: the key's own, its team's, and the policy's. Two budgets on the
 * same scope and period keep the lower limit.
 */
export function budgetScopes(principal: Principal, team: TeamRow | undefined, decision: Decision | undefined): BudgetScope[] {
  const keyId = principal.keyId ?? principal.keyHash;
  const all: BudgetScope[] = [];
  if (principal.budget && keyId) all.push({ scope: 'key', id: keyId, period: principal.budget.period, limitMicros: principal.budget.micros, alerts: principal.budget.alerts });
  if (team?.budgetMicros != null && team.budgetPeriod) all.push({ scope: 'team', id: team.id, period: team.budgetPeriod, limitMicros: team.budgetMicros, alerts: team.budgetAlerts ?? undefined });
  const b = decision?.budget;
  if (b) {
    const id = b.scope === 'team' ? principal.team : keyId;
    if (id) all.push({ scope: b.scope, id, period: b.period, limitMicros: Math.round(b.limit_usd * 1e6), alerts: b.alert_at });
  }
  const byKey = new Map<string, BudgetScope>();
  for (const s of all) {
    const k = `${s.scope}:${s.id}:${s.period}`;
    const prev = byKey.get(k);
    if (!prev || s.limitMicros < prev.limitMicros) byKey.set(k, s);
  }
  return [...byKey.values()];
}
