import { afterEach, expect, test } from 'bun:test';
import { createResponseCache } from '../../src/cache/response-cache.ts';
import type { SemanticEntry, SemanticIndex } from '../../src/cache/semantic-index.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import type { Decision } from '../../src/policy/decision.ts';
import { createKey } from '../../src/store/keys.ts';
import { cacheSchema } from '../../src/config/cache-schema.ts';
import { budgetApp } from '../support/budget-app.ts';
import { stubPolicy } from '../support/stub-policy.ts';

// The seam the semantic cache plugs into (src/cache/semantic-index.ts), with a fake index: on an
// exact miss the gateway asks the index within the tenant and the request's context, and serves
// the entry it names only if that entry is the tenant's and the target's.
const YAML = `
providers: { mock: { type: mock } }
models: { m: { provider: mock, model: mock/ok } }
`;

/** Similarity 1 for the same words (case and punctuation aside), 0.5 otherwise. */
function fakeIndex(lie?: () => string | undefined) {
  const rows: SemanticEntry[] = [];
  const asked: { scope: string; context: string; text: string; threshold: number }[] = [];
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9 ]/g, '').trim();
  const index: SemanticIndex = {
    async lookup(scope, context, text, threshold) {
      asked.push({ scope, context, text, threshold });
      const lied = lie?.();
      if (lied) return { entryKey: lied, similarity: 0.99 };
      const best = rows.filter((r) => r.scope === scope && r.contextFingerprint === context).map((r) => ({ entryKey: r.entryKey, similarity: norm(r.lastUserText) === norm(text) ? 1 : 0.5 }));
      return best.sort((a, b) => b.similarity - a.similarity)[0];
    },
    async add(e) {
      rows.push(e);
    },
  };
  return { index, rows, asked };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function app(decision: Decision, lie?: () => string | undefined) {
  const fake = fakeIndex(lie);
  const { policy } = stubPolicy(decision);
  const t = await budgetApp(YAML, { policy, cache: (store) => createResponseCache({ store, logger: silentLogger, config: () => cacheSchema.parse({}), wall: Date.now, semantic: fake.index }) });
  cleanup = t.close;
  const red = (await createKey(t.store, { name: 'r', team: 'red' })).key;
  const blue = (await createKey(t.store, { name: 'b', team: 'blue' })).key;
  const chat = async (key: string, text: string, system = 'Be brief.') => {
    const r = await t.post('/v1/chat/completions', key, { model: 'm', messages: [{ role: 'system', content: system }, { role: 'user', content: text }] });
    const body = (await r.json()) as { choices: { message: { content: string } }[] };
    await Bun.sleep(20);
    return { state: r.headers.get('x-tollgate-cache'), similarity: r.headers.get('x-tollgate-cache-similarity'), text: body.choices[0]!.message.content };
  };
  return { ...fake, chat, red, blue };
}

const SEMANTIC: Decision = { allowed: true, cache: { mode: 'read_write', scope: 'team', semantic: { threshold: 0.9 } } };

test('a reworded last turn is a semantic hit: the stored answer, with its similarity in a header', async () => {
  const a = await app(SEMANTIC);
  const first = await a.chat(a.red, 'What is the capital of France?');
  expect(first.state).toBe('miss');
  expect(a.rows.length).toBe(1);
  const second = await a.chat(a.red, 'what is the capital of france');
  expect([second.state, second.similarity, second.text]).toEqual(['hit', '1.0000', first.text]);
  expect(a.asked.at(-1)!.threshold).toBe(0.9);
});

test('below the threshold, with another system prompt, or in another team: a miss', async () => {
  const a = await app(SEMANTIC);
  await a.chat(a.red, 'What is the capital of France?');
  expect((await a.chat(a.red, 'What is the capital of Spain?')).state).toBe('miss');
  expect((await a.chat(a.red, 'what is the capital of france', 'Answer in French.')).state).toBe('miss');
  expect((await a.chat(a.blue, 'what is the capital of france')).state).toBe('miss');
});

test("an index that names another tenant's entry is not believed", async () => {
  let redKey: string | undefined;
  const a = await app(SEMANTIC, () => redKey);
  await a.chat(a.red, 'Tell me the red secret.');
  redKey = a.rows[0]!.entryKey;
  const stolen = await a.chat(a.blue, 'Tell me the red secret!');
  expect(stolen.state).toBe('miss');
  expect(a.asked.at(-1)!.scope).toBe('team:blue');
});

test('without cache.semantic in the decision the index is never asked (exact hits only)', async () => {
  const a = await app({ allowed: true, cache: { mode: 'read_write', scope: 'team' } });
  await a.chat(a.red, 'What is the capital of France?');
  expect((await a.chat(a.red, 'what is the capital of france')).state).toBe('miss');
  expect((await a.chat(a.red, 'What is the capital of France?')).state).toBe('hit');
  expect(a.asked.length).toBe(0);
  expect(a.rows.length).toBe(0);
});
