import { expect, test } from 'bun:test';
import { parseConfig } from '../config/load.ts';
import { planReload } from '../config/restart-fields.ts';

const config = (semantic: string) =>
  parseConfig(
    `
providers: { mock: { type: mock } }
models:
  words: { provider: mock, model: mock/embedding-words, kind: embeddings }
  other: { provider: mock, model: mock/embedding, kind: embeddings }
cache: { max_entries: 10, semantic: ${semantic} }
`,
    'test.yaml',
    {},
  ).config;

test('a reload that changes cache.semantic keeps the running embedding model and dimensions, and says a restart is needed', () => {
  const started = config('{ embedding_model: words, dimensions: 512 }');
  const next = config('{ embedding_model: other, dimensions: 8 }');
  const plan = planReload(started, started, next);
  expect(plan.restart).toContain('cache.semantic');
  expect(plan.config.cache.semantic).toEqual({ embedding_model: 'words', dimensions: 512 });
});

test('an embedding model without its dimensions is refused by the config check, naming the field', () => {
  expect(() => config('{ embedding_model: words }')).toThrow('dimensions');
});
