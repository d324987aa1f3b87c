import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createKey } from '../../src/store/keys.ts';
import { createTeam } from '../../src/store/teams.ts';
import { budgetApp } from '../support/budget-app.ts';

// Finding 4: team and key model allow-lists hold on every endpoint, and /v1/models shows only what a key may call.
const YAML = `
providers: { mock: { type: mock } }
models:
  chat: { provider: mock, model: mock/ok, aliases: [chat-latest] }
  other: { provider: mock, model: mock/ok }
  emb: { provider: mock, model: mock/embedding, kind: embeddings }
  emb-other: { provider: mock, model: mock/embedding, kind: embeddings }
`;
let t: Awaited<ReturnType<typeof budgetApp>>;
let teamKey: string;
let narrowKey: string;

beforeAll(async () => {
  t = await budgetApp(YAML);
  await createTeam(t.store, { id: 'ml', models: ['chat*', 'emb'] });
  teamKey = (await createKey(t.store, { name: 'team-only', team: 'ml' })).key;
  narrowKey = (await createKey(t.store, { name: 'narrow', team: 'ml', models: ['chat', 'other'] })).key;
});
afterAll(() => t.close());

const calls = (model: string) => [
  ['/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] }],
  ['/v1/messages', { model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }],
  ['/v1/messages/count_tokens', { model, messages: [{ role: 'user', content: 'hi' }] }],
] as const;

test("a team's model list is enforced on chat, messages, count_tokens and embeddings", async () => {
  for (const [path, body] of calls('other')) {
    const r = await t.post(path, teamKey, body);
    expect({ path, status: r.status }).toEqual({ path, status: 403 });
    expect(await r.text()).toContain("may not use the model 'other'");
  }
  for (const [path, body] of calls('chat-latest')) expect({ path, status: (await t.post(path, teamKey, body)).status }).toEqual({ path, status: 200 });
  expect((await t.post('/v1/embeddings', teamKey, { model: 'emb-other', input: 'x' })).status).toBe(403);
  expect((await t.post('/v1/embeddings', teamKey, { model: 'emb', input: 'x' })).status).toBe(200);
});

test("a key's list and its team's list both apply", async () => {
  // 'other' is on the key's list but not the team's.
  for (const [path, body] of calls('other')) expect({ path, status: (await t.post(path, narrowKey, body)).status }).toEqual({ path, status: 403 });
  expect((await t.post('/v1/chat/completions', narrowKey, calls('chat')[0][1])).status).toBe(200);
});

test('GET /v1/models lists only the models the key may call', async () => {
  const ids = async (key: string) => ((await (await t.app.request('/v1/models', { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { id: string }[] }).data.map((m) => m.id).sort();
  expect(await ids(teamKey)).toEqual(['chat', 'chat-latest', 'emb']);
  // An alias of an allowed model is the same model.
  expect(await ids(narrowKey)).toEqual(['chat', 'chat-latest']);
  expect((await t.app.request('/v1/models/other', { headers: { authorization: `Bearer ${teamKey}` } })).status).toBe(404);
});

test("GET /v1/models answers Anthropic's shape to Anthropic clients (anthropic-version), with its paging", async () => {
  const get = async (path: string) => {
    const r = await t.app.request(path, { headers: { 'x-api-key': teamKey, 'anthropic-version': '2023-06-01' } });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const all = await get('/v1/models');
  expect(all.status).toBe(200);
  expect(all.body).toEqual({
    data: ['chat', 'chat-latest', 'emb'].map((id) => ({ type: 'model', id, display_name: id, created_at: '2023-11-14T22:13:20Z' })),
    has_more: false,
    first_id: 'chat',
    last_id: 'emb',
  });
  const first = await get('/v1/models?limit=2');
  expect([first.body.has_more, first.body.last_id]).toEqual([true, 'chat-latest']);
  const next = await get('/v1/models?limit=2&after_id=chat-latest');
  expect([(next.body.data as { id: string }[]).map((m) => m.id), next.body.has_more]).toEqual([['emb'], false]);
  expect(((await get('/v1/models?before_id=emb')).body.data as { id: string }[]).map((m) => m.id)).toEqual(['chat', 'chat-latest']);
  expect(await get('/v1/models/chat')).toEqual({ status: 200, body: { type: 'model', id: 'chat', display_name: 'chat', created_at: '2023-11-14T22:13:20Z' } });
  // Errors come in Anthropic's envelope too.
  const missing = await get('/v1/models/other');
  expect(missing.status).toBe(404);
  expect(missing.body).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  expect((await get('/v1/models?limit=0')).body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
});
