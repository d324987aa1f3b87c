import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { createClient, type Client } from '@libsql/client';
import { startTestGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../../src/server/start.ts';
import { WORDS_DIMS } from '../../src/providers/mock/words-embedding.ts';

// Issue 16, the semantic cache through the live gateway: a paraphrase is served the stored
// answer, a question one fact apart is not, another team never is, and every embedding the cache
// makes is a request of the caller's in the ledger (endpoint embeddings, tag cache.semantic).
const hash = (k: string) => createHash('sha256').update(k).digest('hex');
const RED1 = 'tg-red-one-key-000000000';
const RED2 = 'tg-red-two-key-000000000';
const BLUE = 'tg-blue-key-0000000000000';
const MASTER = 'tg-master-semantic-0000000000000';
let masterBefore: string | undefined;

const POLICY = `package gateway

decision := {"allowed": true, "cache": {"mode": "read_write", "scope": "team", "semantic": {"threshold": 0.95}}} if input.request.model == "s-chat"
decision := {"allowed": true, "cache": {"mode": "read_write", "scope": "team"}} if input.request.model == "x-chat"
decision := {"allowed": true} if not input.request.model in {"s-chat", "x-chat"}
`;

let gw: Gateway;
let db: Client;
const dir = mkdtempSync(join(tmpdir(), 'tollgate-cache-semantic-'));

beforeAll(async () => {
  masterBefore = process.env.TOLLGATE_MASTER_KEY;
  process.env.TOLLGATE_MASTER_KEY = MASTER;
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'decision.rego'), POLICY);
  gw = await startTestGateway({
    server: { host: '127.0.0.1', port: 0 },
    database: { url: `file:${join(dir, 'db.sqlite')}` },
    ledger: { flush_ms: 20 },
    policy: { dir: join(dir, 'policies'), watch: false },
    keys: [
      { name: 'red1', hash: hash(RED1), team: 'red' },
      { name: 'red2', hash: hash(RED2), team: 'red' },
      { name: 'blue', hash: hash(BLUE), team: 'blue' },
    ],
    providers: { mock: { type: 'mock' } },
    models: {
      's-chat': { provider: 'mock', model: 'mock/ok' },
      'x-chat': { provider: 'mock', model: 'mock/ok' },
      words: { provider: 'mock', model: 'mock/embedding-words', kind: 'embeddings' },
    },
    prices: { 'mock/ok': { input: 1000, output: 2000 }, 'mock/embedding-words': { input: 100, output: 0 } },
    cache: { semantic: { embedding_model: 'words', dimensions: WORDS_DIMS } },
  });
  db = createClient({ url: `file:${join(dir, 'db.sqlite')}` });
});
afterAll(async () => {
  db?.close();
  await gw?.stop();
  if (masterBefore === undefined) delete process.env.TOLLGATE_MASTER_KEY;
  else process.env.TOLLGATE_MASTER_KEY = masterBefore;
});

const client = (key: string) => new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
/** Asks with the OpenAI SDK; returns the answer's text and the cache headers. */
async function ask(key: string, text: string, model = 's-chat') {
  const { data, response } = await client(key)
    .chat.completions.create({ model, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: text }] })
    .withResponse();
  return { text: data.choices[0]!.message.content, cache: response.headers.get('x-tollgate-cache'), similarity: response.headers.get('x-tollgate-cache-similarity'), requestId: response.headers.get('x-request-id')! };
}
const vectors = async () => Number((await db.execute(`SELECT count(*) AS n FROM cache_semantic_vectors_${WORDS_DIMS}`)).rows[0]!.n);
/** Waits until the index holds `n` vectors (the write after an answer runs once it has gone). */
async function indexed(n: number) {
  for (let i = 0; i < 250 && (await vectors()) < n; i++) await Bun.sleep(20);
  expect(await vectors()).toBeGreaterThanOrEqual(n);
}
async function rows(sql: string, args: (string | number)[] = [], n = 1) {
  for (let i = 0; i < 250; i++) {
    const r = await db.execute({ sql, args });
    if (r.rows.length >= n) return r.rows as unknown as Record<string, unknown>[];
    await Bun.sleep(20);
  }
  throw new Error(`fewer than ${n} rows for ${sql}`);
}

describe('semantic hits through the gateway', () => {
  test('a paraphrase by another key of the team is served the stored answer; a question one fact apart is not; another team never is', async () => {
    const first = await ask(RED1, 'How do I reset my password?');
    expect(first.cache).toBe('miss');
    expect(first.text).toBe('Mock reply to: How do I reset my password?');
    await indexed(1);

    const para = await ask(RED2, 'how can i change my passcode');
    expect(para.cache).toBe('hit');
    expect(Number(para.similarity)).toBeGreaterThanOrEqual(0.95);
    // The stored answer, not a new one (the mock echoes the question it was asked).
    expect(para.text).toBe(first.text);
    const hitRow = (await rows('SELECT * FROM usage WHERE request_id = ?', [para.requestId]))[0]!;
    expect([Number(hitRow.cache_hit), Number(hitRow.cost_micros)]).toEqual([1, 0]);
    expect(Number(hitRow.saved_micros)).toBeGreaterThan(0);

    const other = await ask(BLUE, 'how can i change my passcode');
    expect(other.cache).toBe('miss');
    expect(other.text).toBe('Mock reply to: how can i change my passcode');

    await ask(RED1, 'What is the capital of France?');
    await indexed(3);
    const near = await ask(RED2, 'What is the capital of Spain?');
    expect(near.cache).toBe('miss');
    expect(near.text).toBe('Mock reply to: What is the capital of Spain?');
  });

  test('every embedding the cache makes is the caller\'s own embeddings row, tagged cache.semantic and billed; one per question', async () => {
    const q = await ask(RED1, 'Why is the sky blue on Mars?');
    expect(q.cache).toBe('miss');
    const [emb] = await rows("SELECT * FROM usage WHERE endpoint = 'embeddings' AND metadata LIKE ?", [`%${q.requestId}%`]);
    expect([emb!.key_name, emb!.team, emb!.requested_model, emb!.status]).toEqual(['red1', 'red', 'words', 200]);
    expect(JSON.parse(String(emb!.tags))).toContain('cache.semantic');
    expect(Number(emb!.cost_micros)).toBeGreaterThan(0);
    await indexed(5);
    // The lookup's embedding served the write too: still one embedding row for this request.
    await Bun.sleep(100);
    const all = await db.execute({ sql: "SELECT count(*) AS n FROM usage WHERE endpoint = 'embeddings' AND metadata LIKE ?", args: [`%${q.requestId}%`] });
    expect(Number(all.rows[0]!.n)).toBe(1);
  });

  test('a streaming paraphrase is served the stored answer as a chat stream', async () => {
    const first = await ask(RED1, 'When does the meeting start tomorrow?');
    expect(first.cache).toBe('miss');
    await indexed(6);
    const { data: stream, response } = await client(RED2)
      .chat.completions.create({ model: 's-chat', stream: true, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'when will the meeting begin tomorrow' }] })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(response.headers.get('x-tollgate-cache')).toBe('hit');
    expect(text).toBe(first.text!);
  });

  test("a purge of the team's entries takes their vectors too: the paraphrase is a miss after it", async () => {
    const first = await ask(RED1, 'How do I fix a flat bicycle tire?');
    expect(first.cache).toBe('miss');
    await indexed(7);
    expect((await ask(RED2, 'how to repair a flat bicycle tire')).cache).toBe('hit');
    const redVectors = async () => Number((await db.execute(`SELECT count(*) AS n FROM cache_semantic_vectors_${WORDS_DIMS} WHERE scope = 'team:red'`)).rows[0]!.n);
    expect(await redVectors()).toBeGreaterThan(0);
    const purge = await fetch(`${gw.url}/admin/cache?team=red`, { method: 'DELETE', headers: { authorization: `Bearer ${MASTER}` } });
    expect(purge.status).toBe(200);
    expect(await redVectors()).toBe(0);
    expect((await ask(RED2, 'how to repair a flat bicycle tire')).cache).toBe('miss');
  });

  test('a decision without semantic makes no embedding call and no semantic hit', async () => {
    const first = await ask(RED1, 'Name a prime number between 10 and 20', 'x-chat');
    const para = await ask(RED2, 'name a prime number between 10 and 20', 'x-chat');
    expect(para.cache).toBe('miss');
    // Both answers are in the ledger; no embedding row was made for either.
    await rows('SELECT 1 FROM usage WHERE request_id IN (?, ?)', [first.requestId, para.requestId], 2);
    await Bun.sleep(100);
    const made = await db.execute({ sql: "SELECT count(*) AS n FROM usage WHERE endpoint = 'embeddings' AND (metadata LIKE ? OR metadata LIKE ?)", args: [`%${first.requestId}%`, `%${para.requestId}%`] });
    expect(Number(made.rows[0]!.n)).toBe(0);
  });
});
