import type { Decision } from '../policy/decision.ts';
import type { Target } from '../routing/target.ts';

/**
 * The decision's targets as the router takes them. An ordered list is one tier per target (a
 * fallback chain); a weighted set is one tier of equivalent targets the router balances,
 * followed by its fallbacks. Context-length and content-policy fallbacks come last, marked
 * `only`. Providers missing from the config are left out: data files may name providers a
 * deployment does not have.
 */
export function planTargets(decision: Decision | undefined, fallback: Target, configured: (provider: string) => boolean): Target[] {
  const plan = decision?.targets;
  const out: Target[] = [];
  if (!plan) out.push({ ...fallback, tier: 0 });
  else if (plan.mode === 'ordered') plan.targets.forEach((t, i) => out.push({ provider: t.provider, model: t.model, tier: i }));
  else {
    for (const t of plan.targets) out.push({ provider: t.provider, model: t.model, weight: t.weight, tier: 0 });
    plan.fallbacks?.forEach((t, i) => out.push({ provider: t.provider, model: t.model, tier: i + 1 }));
  }
  const special = decision?.fallbacks;
  for (const only of ['context_length', 'content_policy'] as const) {
    special?.[only]?.forEach((t, i) => out.push({ provider: t.provider, model: t.model, tier: i, only }));
  }
  return out.filter((t) => configured(t.provider));
}
