import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { semanticCache } from '../../src/cache/semantic-cache.ts';
import { DEFAULT_SEMANTIC_THRESHOLD as DEFAULT_THRESHOLD } from '../../src/cache/semantic-index.ts';
import type { EmbedCaller, Embedder } from '../../src/cache/semantic-embedder.ts';
import { openSemanticStore } from '../../src/cache/semantic-store.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { mockFetch } from '../../src/providers/mock/respond.ts';
import { WORDS_DIMS } from '../../src/providers/mock/words-embedding.ts';
import { openStore } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';

import { SEMANTIC_SET, score } from './semantic-set.ts';

const db = await openStore({ url: `file:${join(mkdtempSync(join(tmpdir(), 'tollgate-semset-')), 'db.sqlite')}` });
afterAll(() => db.close());

/** The mock provider's words embedding, asked on its wire as the router would. */
const embedder: Embedder = {
  model: 'mock-words',
  async embed(text) {
    const r = await mockFetch('mock://mock/embeddings', { method: 'POST', body: JSON.stringify({ model: 'mock/embedding-words', input: text }) });
    const j = (await r.json()) as { data: { embedding: number[] }[] };
    return Float32Array.from(j.data[0]!.embedding);
  },
};
const caller = { requestId: 'req_test' } as EmbedCaller;

test(`the semantic test set at the default threshold (${DEFAULT_THRESHOLD}): no near-miss hits, and most paraphrases do`, async () => {
  await migrate(db.client);
  const store = await openSemanticStore(db.client, { dims: WORDS_DIMS, maxEntries: 10_000, now: () => 0 });
  const cache = semanticCache({ store, embedder, logger: silentLogger });
  const results = [];
  for (const [i, c] of SEMANTIC_SET.entries()) {
    // Each case in a context of its own, so cases cannot answer each other.
    const context = `case-${i}`;
    await cache.add({ scope: 'team:t', contextFingerprint: context, lastUserText: c.cached, entryKey: `entry-${i}`, expiresAt: 1, caller });
    const hit = await cache.lookup('team:t', context, c.asked, DEFAULT_THRESHOLD, caller);
    if (hit) expect(hit.entryKey).toBe(`entry-${i}`);
    results.push({ c, hit: !!hit, similarity: hit?.similarity });
  }
  const s = score(results);
  const hits = SEMANTIC_SET.filter((c) => c.expect === 'hit').length;
  console.log(`semantic set: ${hits} paraphrases, ${SEMANTIC_SET.length - hits} near-misses; precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)} (tp ${s.truePositives}, fp ${s.falsePositives}, fn ${s.falseNegatives}, tn ${s.trueNegatives})`);
  for (const w of s.wrong) console.log(`  wrong (${w.expect} expected): ${w.cached} | ${w.asked}`);
  expect(s.falsePositives).toBe(0);
  expect(s.precision).toBe(1);
  expect(s.recall).toBeGreaterThanOrEqual(0.8);
  // The set exercises every kind of near-miss.
  expect(new Set(SEMANTIC_SET.filter((c) => c.expect === 'miss').map((c) => c.differs))).toEqual(new Set(['number', 'name', 'negation', 'other']));
});

test('a lookup with no caller to bill embeds nothing and misses', async () => {
  let calls = 0;
  const counting: Embedder = { model: 'm', embed: async (t, c) => (calls++, embedder.embed(t, c)) };
  const store = await openSemanticStore(db.client, { dims: WORDS_DIMS, maxEntries: 10, now: () => 0 });
  const cache = semanticCache({ store, embedder: counting, logger: silentLogger });
  await cache.add({ scope: 's', contextFingerprint: 'c', lastUserText: 'why is the sky blue', entryKey: 'k', expiresAt: 1, caller });
  expect(await cache.lookup('s', 'c', 'why is the sky blue', 0.95)).toBeUndefined();
  expect(await cache.lookup('s', 'c', 'why is the sky blue', 0.95, caller)).toMatchObject({ entryKey: 'k' });
  // One call: the lookup reused the add's embedding of the same text in the same scope.
  expect(calls).toBe(1);
});
