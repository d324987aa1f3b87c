import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createKey } from '../../src/store/keys.ts';
import { budgetApp } from '../support/budget-app.ts';
import { startBedrockUpstream, MOCK_CREDENTIALS } from '../mocks/bedrock-upstream.ts';

// OpenAI clients embed several texts at once (LangChain, the AI SDK's embedMany, openai-python);
// Titan takes one per call, so the gateway fans out and answers as one.
const bedrock = startBedrockUpstream();
const YAML = `
providers:
  bedrock: { type: bedrock, region: us-east-1, base_url: '${bedrock.url}', access_key_id: ${MOCK_CREDENTIALS.accessKeyId}, secret_access_key: '${MOCK_CREDENTIALS.secretAccessKey}' }
models:
  titan: { provider: bedrock, model: amazon.titan-embed-text-v2:0, kind: embeddings }
  titan-down: { provider: bedrock, model: amazon.titan-embed-error-429, kind: embeddings }
routing:
  retries: { max_retries: 0 }
`;
let t: Awaited<ReturnType<typeof budgetApp>>;
let key: string;
beforeAll(async () => {
  t = await budgetApp(YAML);
  key = (await createKey(t.store, { name: 'emb' })).key;
});
afterAll(async () => {
  await t.close();
  bedrock.stop();
});

type Embeddings = { data: { index: number; embedding: number[] }[]; usage: { prompt_tokens: number } };

test('several inputs to Titan: one signed call per input, vectors in input order, usage summed', async () => {
  const inputs = ['first text', 'second, longer text', 'third'];
  const seen = bedrock.requests.length;
  const r = await t.post('/v1/embeddings', key, { model: 'titan', input: inputs });
  expect(r.status).toBe(200);
  const j = (await r.json()) as Embeddings;
  const calls = bedrock.requests.slice(seen);
  expect(calls.map((c) => (c.body as { inputText: string }).inputText).sort()).toEqual([...inputs].sort());
  // Each vector is the one its own text got: ask for the texts one by one and compare.
  for (const [i, text] of inputs.entries()) {
    const one = (await (await t.post('/v1/embeddings', key, { model: 'titan', input: text })).json()) as Embeddings;
    expect(j.data[i]!.index).toBe(i);
    expect(j.data[i]!.embedding).toEqual(one.data[0]!.embedding);
  }
  const singles = await Promise.all(inputs.map(async (text) => ((await (await t.post('/v1/embeddings', key, { model: 'titan', input: text })).json()) as Embeddings).usage.prompt_tokens));
  expect(j.usage.prompt_tokens).toBe(singles.reduce((a, b) => a + b, 0));
  const rows = await t.rows(1);
  expect(rows.find((row) => row.requested_model === 'titan')!.usage.input_tokens).toBe(j.usage.prompt_tokens);
});

test('a failing part fails the request in the caller schema, as one upstream failure', async () => {
  const r = await t.post('/v1/embeddings', key, { model: 'titan-down', input: ['a', 'b'] });
  expect(r.status).toBe(429);
  expect(((await r.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');
});
