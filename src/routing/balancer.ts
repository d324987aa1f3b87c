import type { Strategy } from '../config/schema.ts';
import type { Target } from './target.ts';

/** What the balancer may know of a target right now. */
export interface BalancerView {
  /** False when its breaker is open or all its keys are cooling down. */
  available(t: Target): boolean;
  inflight(t: Target): number;
  /** EWMA of time to first byte; undefined with no recent data. */
  latency(t: Target): number | undefined;
  /** A blended price per token; undefined when the price book has none. */
  cost(t: Target): number | undefined;
}

/**
 * The order to try targets in. Tiers go in ascending order; within a tier (equivalent targets)
 * the strategy orders them, and unavailable targets go last in their tier.
 *   ordered         as listed
 *   weighted        the first by a draw with probability weight/Σweights, the rest heaviest first
 *   least_inflight  fewest attempts in flight, ties by weight
 *   latency         lowest EWMA time to first byte; targets with no recent data are tried first
 *                   (so they get some), and one of those within 10% of the best is drawn
 *   cost            cheapest first, unknown prices last
 */
export function orderTargets(targets: Target[], strategy: Strategy, view: BalancerView, random: () => number = Math.random): Target[] {
  const tiers = new Map<number, Target[]>();
  for (const t of targets) {
    const tier = t.tier ?? 0;
    tiers.set(tier, [...(tiers.get(tier) ?? []), t]);
  }
  const out: Target[] = [];
  for (const tier of [...tiers.keys()].sort((a, b) => a - b)) {
    const group = tiers.get(tier)!;
    const up = group.filter((t) => view.available(t));
    const down = group.filter((t) => !view.available(t));
    out.push(...orderGroup(up, strategy, view, random), ...down);
  }
  return out;
}

function orderGroup(group: Target[], strategy: Strategy, view: BalancerView, random: () => number): Target[] {
  if (group.length < 2 || strategy === 'ordered') return group;
  const weight = (t: Target) => t.weight ?? 1;
  const byWeight = (a: Target, b: Target) => weight(b) - weight(a);
  switch (strategy) {
    case 'weighted': {
      const total = group.reduce((n, t) => n + weight(t), 0);
      let x = random() * total;
      const first = group.find((t) => (x -= weight(t)) < 0) ?? group[0]!;
      return [first, ...group.filter((t) => t !== first).sort(byWeight)];
    }
    case 'least_inflight':
      return [...group].sort((a, b) => view.inflight(a) - view.inflight(b) || byWeight(a, b));
    case 'latency': {
      const unknown = group.filter((t) => view.latency(t) === undefined);
      const known = group.filter((t) => view.latency(t) !== undefined).sort((a, b) => view.latency(a)! - view.latency(b)!);
      if (!known.length) return unknown;
      const best = view.latency(known[0]!)!;
      const near = known.filter((t) => view.latency(t)! <= best * 1.1);
      const pick = near[Math.floor(random() * near.length)] ?? known[0]!;
      return [...unknown, pick, ...known.filter((t) => t !== pick)];
    }
    case 'cost':
      return [...group].sort((a, b) => (view.cost(a) ?? Infinity) - (view.cost(b) ?? Infinity) || byWeight(a, b));
  }
}
