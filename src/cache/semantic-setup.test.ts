import { expect, test } from 'bun:test';
import type { Client } from '@libsql/client';
import { parseConfig } from '../config/load.ts';
import { buildRuntime } from '../config/runtime.ts';
import { openStore } from '../store/client.ts';
import { migrate } from '../store/migrate.ts';
import { checkSemanticSetup } from './semantic-setup.ts';

const runtime = buildRuntime(
  parseConfig(
    `
providers:
  mock: { type: mock }
models:
  chat: { provider: mock, model: mock/ok }
  words: { provider: mock, model: mock/embedding-words, kind: embeddings }
`,
    'test.yaml',
    {},
  ).config,
);

test('startup refuses a semantic cache whose model cannot embed, naming the setting', async () => {
  const store = await openStore({ url: ':memory:' });
  await migrate(store.client);
  const s = { dimensions: 512, max_entries: 10 };
  await expect(checkSemanticSetup(store.client, runtime, { ...s, embedding_model: 'nope' }, 0)).rejects.toThrow("cache.semantic.embedding_model: no model 'nope'");
  await expect(checkSemanticSetup(store.client, runtime, { ...s, embedding_model: 'chat' }, 0)).rejects.toThrow("'chat' is a chat model");
  await checkSemanticSetup(store.client, runtime, { ...s, embedding_model: 'words' }, 0);
  const t = await store.client.execute("SELECT name FROM sqlite_master WHERE name = 'cache_semantic_vectors_512'");
  expect(t.rows).toHaveLength(1);
  store.close();
});

test('a database without libSQL vectors stops startup with the cause, not a silent miss later', async () => {
  const noVectors = { batch: async () => Promise.reject(new Error('SQLITE_ERROR: unknown type F32_BLOB')) } as unknown as Client;
  await expect(checkSemanticSetup(noVectors, runtime, { embedding_model: 'words', dimensions: 512, max_entries: 10 }, 0)).rejects.toThrow(
    'cache.semantic: the database cannot hold a 512-dimension vector index (SQLITE_ERROR: unknown type F32_BLOB)',
  );
});
