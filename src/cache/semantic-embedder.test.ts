import { afterEach, expect, test } from 'bun:test';
import { parseConfig } from '../config/load.ts';
import { buildRuntime } from '../config/runtime.ts';
import type { EnforceDeps } from '../enforce/deps.ts';
import type { Principal } from '../enforce/principal.ts';
import { silentLogger } from '../lib/logger.ts';
import { rateLimiter } from '../limits/rate-limiter.ts';
import { WORDS_DIMS } from '../providers/mock/words-embedding.ts';
import { createRouter } from '../routing/router.ts';
import { budgetGate } from '../store/budget-leases.ts';
import { openStore } from '../store/client.ts';
import { createKey } from '../store/keys.ts';
import { migrate } from '../store/migrate.ts';
import { spendBook } from '../store/spend-book.ts';
import { teamCache } from '../store/team-cache.ts';
import type { UsageRecord } from '../store/usage-record.ts';
import { routedEmbedder, SEMANTIC_TAG } from './semantic-embedder.ts';

const YAML = `
providers:
  mock: { type: mock }
models:
  words: { provider: mock, model: mock/embedding-words, kind: embeddings }
  broken: { provider: mock, model: mock/error-500, kind: embeddings }
prices:
  mock/embedding-words: { input: 100, output: 0 }
`;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(budgetMicros?: number) {
  const store = await openStore({ url: ':memory:' });
  await migrate(store.client);
  const runtime = buildRuntime(parseConfig(YAML, 'test.yaml', {}).config);
  const budgets = budgetGate(store, silentLogger, { flushMs: 10 });
  const limiter = rateLimiter();
  const base: EnforceDeps = { logger: silentLogger, limiter, budgets, team: teamCache(store, { ttlMs: 0 }) };
  const enforce = { ...base, book: spendBook(base) };
  const records: UsageRecord[] = [];
  const { row } = await createKey(store, { name: 'alice', team: 'red', budget: budgetMicros === undefined ? undefined : { micros: budgetMicros, period: 'day' } });
  const principal: Principal = { keyId: row.id, keyHash: row.hash, name: row.name, team: 'red', tags: [], budget: budgetMicros === undefined ? undefined : { micros: budgetMicros, period: 'day' } };
  const deps = { exchange: { logger: silentLogger, onUsage: (r: UsageRecord) => records.push(r) }, enforce, router: createRouter() };
  close = async () => {
    await budgets.close();
    store.close();
  };
  const spent = async () => {
    await budgets.flush();
    const r = await store.client.execute({ sql: "SELECT coalesce(sum(spent_micros), 0) AS s FROM spend WHERE scope = 'key'", args: [] });
    return Number(r.rows[0]!.s);
  };
  return { runtime, principal, deps, records, spent };
}

test("an embedding is one ledger row of the caller's, endpoint embeddings, tagged cache.semantic, and its cost is booked on the key's budget", async () => {
  const t = await setup(1_000_000);
  const v = await routedEmbedder(t.deps, 'words').embed('How do I reset my password?', { principal: t.principal, runtime: t.runtime, requestId: 'req_caller' });
  expect(v).toBeInstanceOf(Float32Array);
  expect(v.length).toBe(WORDS_DIMS);
  expect(t.records).toHaveLength(1);
  const r = t.records[0]!;
  expect([r.endpoint, r.key_id, r.team, r.requested_model, r.provider, r.served_model, r.status, r.outcome]).toEqual(['embeddings', t.principal.keyId, 'red', 'words', 'mock', 'mock/embedding-words', 200, 'ok']);
  expect(r.tags).toContain(SEMANTIC_TAG);
  expect(r.metadata).toEqual({ cache_for: 'req_caller' });
  expect(r.request_id).not.toBe('req_caller');
  expect(r.usage.input_tokens).toBeGreaterThan(0);
  expect(r.cost_micros).toBeGreaterThan(0);
  expect(await t.spent()).toBe(r.cost_micros);
});

test('a key whose budget is spent gets no embedding: refused like its own request, and the refusal is in the ledger', async () => {
  const t = await setup(0);
  const p = routedEmbedder(t.deps, 'words').embed('why is the sky blue', { principal: t.principal, runtime: t.runtime, requestId: 'req_caller' });
  await expect(p).rejects.toMatchObject({ kind: 'budget_exceeded' });
  expect(t.records.map((r) => [r.endpoint, r.status, r.tags?.includes(SEMANTIC_TAG)])).toEqual([['embeddings', 429, true]]);
});

test('an upstream failure is a failed ledger row and an error, never a vector', async () => {
  const t = await setup();
  await expect(routedEmbedder(t.deps, 'broken').embed('hi', { principal: t.principal, runtime: t.runtime, requestId: 'r' })).rejects.toThrow('attempts failed');
  expect(t.records.map((r) => [r.endpoint, r.status >= 400, r.outcome !== 'ok'])).toEqual([['embeddings', true, true]]);
});
