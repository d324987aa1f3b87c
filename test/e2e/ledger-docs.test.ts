import { afterAll, beforeAll, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Row } from '@libsql/client';
import { openStore, type Store } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { usageWriter } from '../../src/store/usage-writer.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { emptyUsage } from '../../src/providers/types.ts';
import type { UsageRecord } from '../../src/store/usage-record.ts';

// Every ```sql block of docs/ledger.md runs against a migrated database holding a few rows
// written by the real ledger writer, so the documented queries cannot drift from the schema.
const docs = readFileSync(resolve(import.meta.dir, '../../docs/ledger.md'), 'utf8');
const statements = [...docs.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
let store: Store;

const record = (r: Partial<UsageRecord> & Pick<UsageRecord, 'request_id'>): UsageRecord => ({
  endpoint: 'chat.completions',
  requested_model: 'gpt-4o',
  status: 200,
  outcome: 'ok',
  stream: false,
  usage: emptyUsage(),
  attempts: [],
  cost_micros: 0,
  price_version: 'pl_test',
  usage_source: 'none',
  latency_ms: 10,
  ...r,
});
const tokens = (input: number, output: number) => ({ ...emptyUsage(), input_tokens: input, output_tokens: output });
const attempt = { provider: 'openai', model: 'gpt-4o-2024-08-06', status: 200 as const, ms: 5 };

beforeAll(async () => {
  store = await openStore({ url: ':memory:' });
  await migrate(store.client);
  const now = Date.now();
  await store.client.batch([
    { sql: "INSERT INTO teams (id, name, created_at) VALUES ('ml', 'Machine Learning', ?)", args: [now] },
    { sql: "INSERT INTO users (id, name, email, team_id, created_at) VALUES ('u_ada', 'Ada', 'ada@example.com', 'ml', ?)", args: [now] },
    { sql: "INSERT INTO virtual_keys (id, hash, prefix, name, team_id, user_id, created_at, updated_at) VALUES ('key_1', 'aa11', 'tg-ab12', 'ci', 'ml', 'u_ada', ?, ?)", args: [now, now] },
  ]);
  const w = usageWriter(store, silentLogger, { intervalMs: 60_000 });
  w.write(record({ request_id: 'r1', key_name: 'ci', key_hash: 'aa11', team: 'ml', user: 'u_ada', provider: 'openai', served_model: 'gpt-4o-2024-08-06', attempts: [attempt], usage: tokens(1000, 200), cost_micros: 1_500_000, usage_source: 'provider', tags: ['project:search', 'env:prod'], metadata: { customer: 'acme', feature: 'search' } }));
  w.write(record({ request_id: 'r2', key_name: 'bot', key_hash: 'bb22', team: 'support', requested_model: 'claude-sonnet', provider: 'anthropic', served_model: 'claude-sonnet-4-5', attempts: [attempt], stream: true, outcome: 'interrupted', usage: tokens(300, 50), cost_micros: 250_000, usage_source: 'estimated' }));
  w.write(record({ request_id: 'r3', key_name: 'ci', key_hash: 'aa11', team: 'ml', user: 'u_ada', status: 403, outcome: 'forbidden', error_message: 'model not allowed' }));
  w.write(record({ request_id: 'r4', key_name: 'ci', key_hash: 'aa11', team: 'ml', user: 'u_ada', provider: 'openai', served_model: 'gpt-4o-2024-08-06', attempts: [attempt], usage: tokens(10, 10), cost_micros: 40_000, usage_source: 'provider' }));
  await w.close();
  // r4 happened last year: it counts in the per-month history, not in this month's reports.
  await store.client.execute({ sql: "UPDATE usage SET created_at = ? WHERE request_id = 'r4'", args: [now - 400 * 86_400_000] });
  // Support's request was captured (its policy said log_prompts: true).
  await store.client.execute({ sql: "INSERT INTO prompt_captures (request_id, created_at, request, response) VALUES ('r2', ?, '{\"model\":\"claude-sonnet\"}', '{\"type\":\"message\"}')", args: [now] });
});
afterAll(() => store?.close());

const run = async (i: number): Promise<Row[]> => (await store.client.execute(statements[i]!)).rows;

test('docs/ledger.md has the finance queries', () => {
  expect(statements.length).toBe(13);
});

test('every documented statement runs and returns rows', async () => {
  // The cache query needs a hit (its own test adds one).
  for (let i = 0; i < statements.length - 1; i++) {
    const rows = await run(i).catch((e: unknown) => {
      throw new Error(`docs/ledger.md statement ${i + 1} failed: ${String(e)}\n${statements[i]}`);
    });
    expect(rows.length).toBeGreaterThan(0);
  }
});

test('spend by team per month names teams and sums micro-dollars exactly', async () => {
  const rows = (await run(0)).map((r) => [r.team, r.requests, r.cost_micros, r.usd]);
  expect(rows).toContainEqual(['Machine Learning', 2, 1_500_000, 1.5]);
  expect(rows).toContainEqual(['support', 1, 250_000, 0.25]);
  expect(rows).toContainEqual(['Machine Learning', 1, 40_000, 0.04]);
});

test('spend by key joins database keys and keeps config keys by name', async () => {
  const rows = (await run(1)).map((r) => [r.key, r.name, r.prefix, r.cost_micros]);
  expect(rows).toEqual([
    ['key_1', 'ci', 'tg-ab12', 1_500_000],
    ['bot', 'bot', null, 250_000],
  ]);
});

test('top users and the estimated share', async () => {
  expect((await run(3)).map((r) => [r.name, r.email, r.cost_micros])).toEqual([['Ada', 'ada@example.com', 1_500_000]]);
  const share = (await run(4)).filter((r) => r.month === new Date().toISOString().slice(0, 7));
  expect(share.map((r) => [r.usage_source, r.pct_of_spend])).toEqual([
    ['estimated', 14.3],
    ['none', 0],
    ['provider', 85.7],
  ]);
});

test('spend by tag expands the JSON tags', async () => {
  expect((await run(5)).map((r) => r.tag).sort()).toEqual(['env:prod', 'project:search']);
});

test('the views: usage_daily by team and day, spend_by_tag, denials with their reason', async () => {
  expect((await run(7)).map((r) => [r.team, r.requests, r.cost_micros])).toEqual([
    ['ml', 2, 1_500_000],
    ['support', 1, 250_000],
  ]);
  expect((await run(8)).map((r) => [r.tag, r.requests, r.cost_micros]).sort()).toEqual([
    ['env:prod', 1, 1_500_000],
    ['project:search', 1, 1_500_000],
  ]);
  expect((await run(9)).map((r) => [r.outcome, r.status, r.reason, r.requests])).toEqual([['forbidden', 403, 'forbidden: model not allowed', 1]]);
  // A deny with a status of the policy's choosing is a denial; a failed upstream call is not.
  const now = Date.now();
  await store.client.batch([
    { sql: "INSERT INTO usage (request_id, created_at, endpoint, requested_model, status, outcome, attempts, decision_id) VALUES ('r5', ?, 'messages', 'm', 400, 'invalid_request', 0, 'dec_5')", args: [now] },
    { sql: "INSERT INTO usage (request_id, created_at, endpoint, requested_model, status, outcome, attempts, decision_id) VALUES ('r6', ?, 'messages', 'm', 502, 'upstream_error', 2, 'dec_6')", args: [now] },
  ]);
  expect((await store.client.execute('SELECT request_id FROM denials ORDER BY request_id')).rows.map((r) => r.request_id)).toEqual(['r3', 'r5']);
  await store.client.execute("DELETE FROM usage WHERE request_id IN ('r5', 'r6')");
  const daily = (await store.client.execute("SELECT key, key_name, model, requests, errors FROM usage_daily WHERE team = 'ml' ORDER BY day DESC LIMIT 1")).rows[0]!;
  expect([daily.key, daily.key_name, daily.model, daily.requests, daily.errors]).toEqual(['key_1', 'ci', 'gpt-4o', 2, 1]);
});

test('cost by metadata field', async () => {
  expect((await run(10)).map((r) => [r.customer, r.feature, r.requests, r.cost_micros])).toEqual([['acme', 'search', 1, 1_500_000]]);
});

test('what the response cache saved, by team and model', async () => {
  const w = usageWriter(store, silentLogger, { intervalMs: 60_000 });
  for (const id of ['h1', 'h2']) w.write(record({ request_id: id, team: 'ml', provider: 'openai', served_model: 'gpt-4o-2024-08-06', cache: 'hit', saved_micros: 1_500_000 }));
  await w.close();
  expect((await run(12)).map((r) => [r.team, r.requested_model, r.hits, r.saved_micros, r.saved_usd])).toEqual([['ml', 'gpt-4o', 2, 3_000_000, 3]]);
  await store.client.execute("DELETE FROM usage WHERE request_id IN ('h1', 'h2')");
});
