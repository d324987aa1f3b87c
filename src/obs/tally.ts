import type { Counter, CounterConfiguration } from 'prom-client';

/** A counter's increments, by label values. */
export interface Tally<L extends string> {
  inc(labels: Record<L, string>, value?: number): void;
}

/**
 * A prom-client counter whose increments are summed here by their label values and added to it
 * when it is read (a scrape reads every metric through its `collect`): a request pays a string
 * key and a Map lookup instead of prom-client's label validation, sorting and hashing for each
 * increment. It holds at most one entry per label combination until the next read, as the
 * counter itself does. A value prom-client would refuse is refused here, at once.
 */
export function talliedCounter<L extends string>(CounterClass: typeof Counter, config: CounterConfiguration<L> & { labelNames: readonly L[] }): Tally<L> {
  const names = config.labelNames;
  const pending = new Map<string, { labels: Record<L, string>; value: number }>();
  new CounterClass<L>({
    ...config,
    collect() {
      for (const p of pending.values()) this.inc(p.labels, p.value);
      pending.clear();
    },
  });
  return {
    inc(labels, value = 1) {
      if (value && !Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
      if (value < 0) throw new Error('It is not possible to decrease a counter');
      let key = '';
      // Length-prefixed, so no two label combinations share a key whatever their values hold.
      for (const n of names) key += `${labels[n].length}:${labels[n]}`;
      const p = pending.get(key);
      if (p) p.value += value;
      else pending.set(key, { labels, value });
    },
  };
}
