import { describe, expect, test } from 'bun:test';
import { orderTargets, type BalancerView } from './balancer.ts';
import type { Target } from './target.ts';

const t = (provider: string, extra: Partial<Target> = {}): Target => ({ provider, model: 'm', tier: 0, ...extra });
const view = (o: Partial<Record<'down' | 'inflight' | 'latency' | 'cost', Record<string, number>>> = {}): BalancerView => ({
  available: (x) => !o.down?.[x.provider],
  inflight: (x) => o.inflight?.[x.provider] ?? 0,
  latency: (x) => o.latency?.[x.provider],
  cost: (x) => o.cost?.[x.provider],
});
const names = (ts: Target[]) => ts.map((x) => x.provider);

describe('balancing equivalent targets', () => {
  test('weighted: the draw picks the first by weight, the rest follow heaviest first', () => {
    const set = [t('a', { weight: 1 }), t('b', { weight: 3 }), t('c', { weight: 2 })];
    expect(names(orderTargets(set, 'weighted', view(), () => 0.1))).toEqual(['a', 'b', 'c']);
    expect(names(orderTargets(set, 'weighted', view(), () => 0.9))).toEqual(['c', 'b', 'a']);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 6_000; i++) counts[orderTargets(set, 'weighted', view())[0]!.provider]!++;
    expect(counts.b! / 6_000).toBeCloseTo(0.5, 1);
  });

  test('least in-flight, lowest latency and lowest cost', () => {
    const set = [t('a'), t('b'), t('c')];
    expect(names(orderTargets(set, 'least_inflight', view({ inflight: { a: 5, b: 0, c: 2 } })))).toEqual(['b', 'c', 'a']);
    expect(names(orderTargets(set, 'latency', view({ latency: { a: 300, b: 100, c: 200 } })))).toEqual(['b', 'c', 'a']);
    expect(names(orderTargets(set, 'cost', view({ cost: { a: 3, c: 1 } })))).toEqual(['c', 'a', 'b']);
  });

  test('latency: a target with no recent data is tried first so that it gets some', () => {
    expect(names(orderTargets([t('a'), t('b')], 'latency', view({ latency: { a: 100 } })))).toEqual(['b', 'a']);
  });

  test('unavailable targets go last in their tier; tiers keep their order', () => {
    const set = [t('a', { tier: 0 }), t('b', { tier: 0 }), t('c', { tier: 1 })];
    expect(names(orderTargets(set, 'ordered', view({ down: { a: 1 } })))).toEqual(['b', 'a', 'c']);
    expect(names(orderTargets([t('x', { tier: 1 }), t('y', { tier: 0 })], 'ordered', view()))).toEqual(['y', 'x']);
  });
});
