import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createClient } from '@libsql/client';
import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnBinary, type Spawned } from '../helpers/spawn-binary.ts';
import { startBedrockUpstream, MOCK_CREDENTIALS } from '../mocks/bedrock-upstream.ts';
import { startGeminiUpstream } from '../mocks/gemini-upstream.ts';

// What only the compiled binary can get wrong: modules the build replaces or embeds (the
// tokenizer tables, Bedrock's event-stream codec) that source-mode tests never load from there.
const BIN = resolve(import.meta.dir, '../../dist/tollgate');
const GKEY = 'AIza-binary-test-key';
const gemini = startGeminiUpstream({ apiKey: GKEY });
const bedrock = startBedrockUpstream();
let dir: string;
let gw: Spawned;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error('dist/tollgate is missing: run `npm run build` (npm test does it first)');
  dir = mkdtempSync(join(tmpdir(), 'tollgate-binary-providers-'));
  writeFileSync(
    join(dir, 'gateway.config.yaml'),
    `server: { host: 127.0.0.1, port: 0, allow_anonymous: true }
database: { url: 'file:./usage.db' }
logging: { level: warn }
policy: { enabled: false }
providers:
  gemini: { type: gemini, base_url: '${gemini.url}/v1beta', api_key: ${GKEY} }
  bedrock: { type: bedrock, region: us-east-1, base_url: '${bedrock.url}', access_key_id: ${MOCK_CREDENTIALS.accessKeyId}, secret_access_key: '${MOCK_CREDENTIALS.secretAccessKey}' }
models:
  g-embed: { provider: gemini, model: gemini-embedding-001, kind: embeddings }
  g-cut: { provider: gemini, model: gemini-cut }
  nova: { provider: bedrock, model: amazon.nova-chat-v1:0 }
`,
  );
  gw = await spawnBinary(BIN, ['serve', '--config', join(dir, 'gateway.config.yaml')], { cwd: dir, env: { PATH: '/usr/bin:/bin', HOME: dir } });
});
afterAll(() => {
  gw?.kill();
  gemini.stop();
  bedrock.stop();
});

const post = (path: string, body: unknown) => fetch(gw.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('token-id embedding input is read back with the embedded cl100k_base table', async () => {
  const r = await post('/v1/embeddings', { model: 'g-embed', input: [encode('hello binary world')] });
  expect(r.status).toBe(200);
  expect(((await r.json()) as { data: unknown[] }).data).toHaveLength(1);
  expect(JSON.stringify(gemini.requests.at(-1)!.body)).toContain('hello binary world');
});

test('a Bedrock stream is decoded by the embedded event-stream codec', async () => {
  const r = await post('/v1/chat/completions', { model: 'nova', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi' }] });
  expect(r.status).toBe(200);
  const text = await r.text();
  const deltas = [...text.matchAll(/^data: (\{.*\})$/gm)].map((m) => JSON.parse(m[1]!) as { choices: { delta: { content?: string } }[]; usage?: { completion_tokens: number } });
  expect(deltas.map((d) => d.choices[0]?.delta.content ?? '').join('')).toContain('Hello from');
  expect(deltas.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);
  expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
});

test('legacy completions stream through chat on Bedrock, in the legacy shape', async () => {
  const r = await post('/v1/completions', { model: 'nova', prompt: encode('Say hi'), stream: true, stream_options: { include_usage: true } });
  expect(r.status).toBe(200);
  const text = await r.text();
  const chunks = [...text.matchAll(/^data: (\{.*\})$/gm)].map((m) => JSON.parse(m[1]!) as { object: string; choices: { text: string }[]; usage?: { completion_tokens: number } });
  expect(chunks.every((c) => c.object === 'text_completion')).toBe(true);
  expect(chunks.map((c) => c.choices[0]?.text ?? '').join('')).toContain('Hello from');
  expect(chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);
  expect(JSON.stringify(bedrock.requests.at(-1)!.body)).toContain('Say hi');
});

test('a stream cut before its usage is billed by the embedded o200k_base tokenizer', async () => {
  // 40 tokens in 240 characters: the tokenizer's count is far below the length/4 fallback (60).
  const prompt = 'hello '.repeat(40);
  await (await post('/v1/chat/completions', { model: 'g-cut', stream: true, messages: [{ role: 'user', content: prompt }] })).text();
  expect(await gw.terminate()).toBe(0);
  const db = createClient({ url: 'file:' + join(dir, 'usage.db') });
  const row = (await db.execute("SELECT input_tokens, usage_source FROM usage WHERE requested_model = 'g-cut'")).rows[0]!;
  const endpoints = (await db.execute("SELECT endpoint FROM usage WHERE requested_model = 'nova' ORDER BY endpoint")).rows.map((r) => r.endpoint);
  db.close();
  expect(endpoints).toEqual(['chat.completions', 'completions']);
  expect(row.usage_source).toBe('estimated');
  // The tokenizer's count of the prompt (plus a few tokens of framing), not the length/4 fallback.
  expect(Number(row.input_tokens)).toBeGreaterThanOrEqual(countTokens(prompt));
  expect(Number(row.input_tokens)).toBeLessThan(Math.ceil(prompt.length / 4));
});
