import { expect, test } from 'bun:test';
import { prom } from './prom.ts';
import { talliedCounter } from './tally.ts';

test('a tallied counter scrapes as the same counter fed each increment directly, and a second scrape does not add them again', async () => {
  const { Registry, Counter } = prom();
  const [direct, tallied] = [new Registry(), new Registry()];
  const config = { name: 'reqs_total', help: 'Requests.', labelNames: ['endpoint', 'team'] as const };
  const plain = new Counter({ ...config, registers: [direct] });
  const t = talliedCounter(Counter, { ...config, registers: [tallied] });
  const incs: [{ endpoint: string; team: string }, number | undefined][] = [
    [{ endpoint: 'chat', team: '' }, undefined],
    [{ endpoint: 'chat', team: '' }, 3],
    [{ endpoint: 'chat', team: 'ml' }, 0],
    // Values that would collide if the key were joined carelessly.
    [{ endpoint: 'a\u0000', team: 'b' }, 1],
    [{ endpoint: 'a', team: '\u0000b' }, 2],
    [{ endpoint: 'embeddings', team: 'ml' }, 0.5],
  ];
  for (const [labels, v] of incs) {
    plain.inc(labels, v);
    t.inc(labels, v);
  }
  const want = await direct.metrics();
  expect(want).toContain('reqs_total{endpoint="chat",team=""} 4');
  expect(await tallied.metrics()).toBe(want);
  expect(await tallied.metrics()).toBe(want);
  t.inc({ endpoint: 'chat', team: '' });
  plain.inc({ endpoint: 'chat', team: '' });
  expect(await tallied.metrics()).toBe(await direct.metrics());
});

test('a tallied counter refuses a negative or non-finite increment at once, as prom-client does', () => {
  const { Registry, Counter } = prom();
  const t = talliedCounter(Counter, { name: 'x_total', help: 'x', labelNames: ['a'] as const, registers: [new Registry()] });
  expect(() => t.inc({ a: '' }, -1)).toThrow('It is not possible to decrease a counter');
  expect(() => t.inc({ a: '' }, Infinity)).toThrow(TypeError);
});
