import { expect, test } from 'bun:test';
import type { Logger } from '../lib/logger.ts';
import { semanticCache } from './semantic-cache.ts';
import type { EmbedCaller, Embedder } from './semantic-embedder.ts';
import type { SemanticStore } from './semantic-store.ts';

// Found by review: the embedding memo was keyed by (scope, text), so a second caller of the
// scope was given the first caller's embedding without its own admission, budget or ledger row.
test("a caller never reuses another caller's embedding: each lookup embeds through its own caller; the add reuses its own lookup's", async () => {
  const billed: string[] = [];
  const embedder = {
    model: 'e',
    async embed(_text: string, caller: EmbedCaller) {
      const name = (caller.principal as { name?: string }).name ?? '?';
      if (name === 'red2') throw new Error('red2 may not use the embedding model');
      billed.push(`${name}/${caller.requestId}`);
      return Float32Array.from([1, 0, 0]);
    },
  } as unknown as Embedder;
  const store = { nearest: async () => ({ entryKey: 'k', similarity: 1 }), add: async () => undefined, remove: async () => undefined } as unknown as SemanticStore;
  const logger = { warn: () => undefined } as unknown as Logger;
  const cache = semanticCache({ store, embedder, logger });
  const caller = (name: string, requestId: string) => ({ principal: { name, team: 'red' }, runtime: {}, requestId }) as unknown as EmbedCaller;
  const text = 'how do I reset my password';
  expect(await cache.lookup('team:red', 'ctx', text, 0.95, caller('red1', 'r1'))).toEqual({ entryKey: 'k', similarity: 1 });
  expect(await cache.lookup('team:red', 'ctx', text, 0.95, caller('red2', 'r2'))).toBeUndefined();
  await cache.add({ scope: 'team:red', contextFingerprint: 'ctx', lastUserText: text, entryKey: 'k2', expiresAt: 1, caller: caller('red1', 'r1') } as never);
  await cache.lookup('team:red', 'ctx', text, 0.95, caller('red1', 'r3'));
  expect(billed).toEqual(['red1/r1', 'red1/r3']);
});
