import type { Decision } from '../policy/decision.ts';
import type { Target } from '../routing/target.ts';

/**
 * The decision's targets in the order to try them. Weighted sets pick one by weight (with
 * `random`), and the rest follow as fallbacks, heaviest first. Providers missing from the
 * config are left out: data files may name providers a deployment does not have.
 */
export function planTargets(decision: Decision | undefined, fallback: Target, configured: (provider: string) => boolean, random = Math.random): Target[] {
  const plan = decision?.targets;
  if (!plan) return [fallback];
  let ordered: Target[];
  if (plan.mode === 'ordered') ordered = plan.targets;
  else {
    const pool = plan.targets.filter((t) => configured(t.provider));
    const total = pool.reduce((n, t) => n + t.weight, 0);
    let x = random() * total;
    const first = pool.find((t) => (x -= t.weight) < 0) ?? pool[0];
    ordered = [...(first ? [first] : []), ...pool.filter((t) => t !== first).sort((a, b) => b.weight - a.weight)];
  }
  return ordered.map(({ provider, model }) => ({ provider, model })).filter((t) => configured(t.provider));
}
