import type * as PromClient from 'prom-client';

/**
 * prom-client's metric classes, loaded from their own modules: its index also loads the cluster
 * aggregator, the push gateway and the default process metrics, which cost a start ~150 ms and
 * are not used here. Loaded on first use, so nothing runs at import time.
 */
export interface Prom {
  Registry: typeof PromClient.Registry;
  Counter: typeof PromClient.Counter;
  Gauge: typeof PromClient.Gauge;
  Histogram: typeof PromClient.Histogram;
}

let loaded: Prom | undefined;

export function prom(): Prom {
  if (loaded) return loaded;
  // Plain literal requires, so `bun build --compile` bundles them.
  const Registry = require('prom-client/lib/registry.js') as Prom['Registry'];
  const Counter = require('prom-client/lib/counter.js') as Prom['Counter'];
  const Gauge = require('prom-client/lib/gauge.js') as Prom['Gauge'];
  const Histogram = require('prom-client/lib/histogram.js') as Prom['Histogram'];
  loaded = { Registry, Counter, Gauge, Histogram };
  return loaded;
}
