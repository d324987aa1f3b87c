import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway } from '../helpers/gateway.ts';
import { usageCommand } from '../../src/cli/usage.ts';
import { openStore, type Store } from '../../src/store/client.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createKey } from '../../src/store/keys.ts';
import { runCommand } from '../support/run-command.ts';

// Issue 15 item 6: the caller's x-tollgate-metadata reaches the usage row through a real gateway,
// bad headers get a 400 in the caller's schema, and `tollgate usage --by tag,metadata.<field>`
// attributes cost by feature or customer.
const dir = mkdtempSync(join(tmpdir(), 'tollgate-finance-'));
const dbUrl = `file:${join(dir, 'gw.db')}`;
const configPath = join(dir, 'gateway.config.yaml');
writeFileSync(configPath, `database: { url: "${dbUrl}" }\nproviders: { mock: { type: mock } }\nmodels: { m: { provider: mock, model: mock/long-10 } }\n`);
let store: Store;
const keys: Record<string, string> = {};

beforeAll(async () => {
  store = await openStore({ url: dbUrl });
  await migrate(store.client);
  keys.ml = (await createKey(store, { name: 'ml-app', team: 'ml' })).key;
  keys.support = (await createKey(store, { name: 'support-bot', team: 'support' })).key;
  const gw = await startTestGateway({
    server: { host: '127.0.0.1', port: 0, allow_anonymous: false },
    database: { url: dbUrl },
    // The built-in policy tags each request with its team (`team:ml`).
    policy: { enabled: true },
    providers: { mock: { type: 'mock' } },
    models: { m: { provider: 'mock', model: 'mock/long-10' } },
    prices: { 'mock/long-10': { input: 1, output: 2 } },
  });
  const send = (key: string, metadata?: Record<string, string>) => chat(gw.url, key, metadata === undefined ? {} : { 'x-tollgate-metadata': JSON.stringify(metadata) });
  for (let i = 0; i < 3; i++) expect((await send(keys.ml!, { customer: 'acme', feature: 'search' })).status).toBe(200);
  expect((await send(keys.ml!, { customer: 'acme', feature: 'summarise' })).status).toBe(200);
  for (let i = 0; i < 2; i++) expect((await send(keys.support!, { customer: 'globex' })).status).toBe(200);
  expect((await send(keys.support!)).status).toBe(200);
  badHeaders = await Promise.all(BAD.map(async ([value, path]) => {
    const r = await fetch(gw.url + path, { method: 'POST', headers: { authorization: `Bearer ${keys.ml}`, 'content-type': 'application/json', 'x-tollgate-metadata': value, 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }) });
    return { status: r.status, body: (await r.json()) as Record<string, Record<string, unknown>> };
  }));
  await gw.stop();
}, 60_000);
afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function chat(url: string, key: string, headers: Record<string, string>) {
  return fetch(url + '/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hello there' }] }),
  }).then(async (r) => (await r.arrayBuffer(), r));
}

const many = JSON.stringify(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])));
const BAD: [value: string, path: string][] = [
  ['{not json', '/v1/chat/completions'],
  ['["acme"]', '/v1/chat/completions'],
  ['{"customer": 42}', '/v1/chat/completions'],
  [many, '/v1/chat/completions'],
  [JSON.stringify({ customer: 'x'.repeat(300) }), '/v1/chat/completions'],
  ['{"bad name": "x"}', '/v1/chat/completions'],
  ['{not json', '/v1/messages'],
];
let badHeaders: { status: number; body: Record<string, Record<string, unknown>> }[] = [];

async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const cmd = usageCommand({ out: (t) => out.push(t), err: (t) => err.push(t), write: (t) => out.push(t) });
  const code = await runCommand(cmd, [...args, '--config', configPath]);
  return { out: out.join('\n'), err: err.join('\n'), code };
}

test('a malformed x-tollgate-metadata is a 400 naming the header, in the caller\'s error schema', () => {
  expect(badHeaders.map((b) => b.status)).toEqual(BAD.map(() => 400));
  const openai = badHeaders.slice(0, -1).map((b) => b.body.error!);
  for (const e of openai) expect(e).toMatchObject({ type: 'invalid_request_error', param: 'x-tollgate-metadata', code: 'invalid_metadata' });
  expect(openai.map((e) => String(e.message))).toEqual([
    'The x-tollgate-metadata header is not valid JSON.',
    'The x-tollgate-metadata header must be a JSON object.',
    "The x-tollgate-metadata header must map names to strings ('customer' is not a string).",
    'The x-tollgate-metadata header has 17 names; at most 16 are allowed.',
    "The x-tollgate-metadata header value of 'customer' is longer than 256 characters.",
    "The x-tollgate-metadata header has the name 'bad name'; names are 1-64 characters of A-Z a-z 0-9 _ . : -.",
  ]);
  // Anthropic's schema on /v1/messages.
  expect(badHeaders.at(-1)!.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'The x-tollgate-metadata header is not valid JSON.' } });
});

test('the metadata is stored on the usage row as sent', async () => {
  const rows = (await store.client.execute("SELECT metadata, count(*) AS n FROM usage WHERE status = 200 GROUP BY metadata ORDER BY metadata")).rows;
  expect(rows.map((r) => [r.metadata == null ? null : JSON.parse(String(r.metadata)), Number(r.n)])).toEqual([
    [null, 1],
    [{ customer: 'acme', feature: 'search' }, 3],
    [{ customer: 'acme', feature: 'summarise' }, 1],
    [{ customer: 'globex' }, 2],
  ]);
});

test('tollgate usage --by metadata.customer,metadata.feature attributes cost to each, matching the ledger', async () => {
  const r = await cli('--by', 'metadata.customer,metadata.feature', '--format', 'json');
  expect(r.code).toBe(0);
  const report = JSON.parse(r.out) as { rows: Record<string, string | number | null>[]; totals: { cost_micros: number; requests: number } };
  const sums = async (where: string) => (await store.client.execute(`SELECT count(*) AS n, sum(cost_micros) AS c FROM usage WHERE ${where}`)).rows[0]!;
  const acmeSearch = await sums(`json_extract(metadata, '$.customer') = 'acme' AND json_extract(metadata, '$.feature') = 'search'`);
  const row = (c: string | null, f: string | null) => report.rows.find((x) => x['metadata.customer'] === c && x['metadata.feature'] === f);
  expect(row('acme', 'search')).toMatchObject({ requests: 3, cost_micros: Number(acmeSearch.c) });
  expect(Number(acmeSearch.c)).toBeGreaterThan(0);
  expect(row('acme', 'summarise')!.requests).toBe(1);
  expect(row('globex', null)!.requests).toBe(2);
  const all = await sums('1');
  expect(report.totals).toMatchObject({ requests: Number(all.n), cost_micros: Number(all.c) });
});

test('tollgate usage --by tag counts a request under each of its tags, and the total once', async () => {
  const r = await cli('--by', 'tag', '--format', 'json');
  expect(r.code).toBe(0);
  const report = JSON.parse(r.out) as { rows: Record<string, string | number | null>[]; totals: { requests: number } };
  const byTag = Object.fromEntries(report.rows.map((x) => [String(x.tag), x.requests]));
  expect(byTag['team:ml']).toBe(4);
  expect(byTag['team:support']).toBe(3);
  // Refused before the policy ran: no tags, counted under none.
  expect(byTag['null']).toBe(BAD.length);
  const n = Number((await store.client.execute('SELECT count(*) AS n FROM usage')).rows[0]!.n);
  expect(report.totals.requests).toBe(n);
  expect(report.rows.reduce((s, x) => s + Number(x.requests), 0)).toBeGreaterThanOrEqual(n);
  // The table form names the columns.
  const table = await cli('--by', 'tag,metadata.customer');
  expect(table.code).toBe(0);
  expect(table.out).toContain('METADATA.CUSTOMER');
});

test('a metadata dimension without a valid field name is a usage error', async () => {
  for (const by of ['metadata.', "metadata.a'b", 'metadata.<name>']) {
    const r = await cli('--by', by);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown dimension');
  }
});
