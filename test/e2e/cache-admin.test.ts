import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { startTestGateway } from '../helpers/gateway.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import type { Gateway } from '../../src/server/start.ts';

// Issue 16 item 7: the cache's admin surface on a live gateway — GET/DELETE /admin/cache,
// `tollgate cache stats|purge`, and the hit/miss/saved-spend metrics.
const ROOT = resolve(import.meta.dir, '../..');
const MASTER = 'tg-master-cache-admin-0000000000';
const hash = (k: string) => createHash('sha256').update(k).digest('hex');
const RED = 'tg-cache-admin-red-000000';
const BLUE = 'tg-cache-admin-blue-00000';
const dir = mkdtempSync(join(tmpdir(), 'tollgate-cache-admin-'));
const db = join(dir, 'db.sqlite');
const configFile = join(dir, 'cli.config.yaml');
let gw: Gateway;
let masterBefore: string | undefined;

beforeAll(async () => {
  masterBefore = process.env.TOLLGATE_MASTER_KEY;
  process.env.TOLLGATE_MASTER_KEY = MASTER;
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'decision.rego'), 'package gateway\n\ndecision := {"allowed": true, "cache": {"mode": "read_write", "scope": "team"}}\n');
  writeFileSync(configFile, `database: { url: "file:${db}" }\nproviders: { mock: { type: mock } }\nmodels: { a: { provider: mock, model: mock/ok } }\n`);
  gw = await startTestGateway({
    server: { host: '127.0.0.1', port: 0 },
    database: { url: `file:${db}` },
    ledger: { flush_ms: 20 },
    policy: { dir: join(dir, 'policies'), watch: false },
    keys: [
      { name: 'red', hash: hash(RED), team: 'red' },
      { name: 'blue', hash: hash(BLUE), team: 'blue' },
    ],
    providers: { mock: { type: 'mock' } },
    models: { a: { provider: 'mock', model: 'mock/ok' }, b: { provider: 'mock', model: 'mock/json' } },
    prices: { 'mock/ok': { input: 1000, output: 1000 }, 'mock/json': { input: 1000, output: 1000 } },
  });
});
afterAll(async () => {
  await gw?.stop();
  if (masterBefore === undefined) delete process.env.TOLLGATE_MASTER_KEY;
  else process.env.TOLLGATE_MASTER_KEY = masterBefore;
});

const chat = async (key: string, model: string, text: string) => {
  const r = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ model, messages: [{ role: 'user', content: text }] }) });
  await r.text();
  await Bun.sleep(30);
  return r.headers.get('x-tollgate-cache');
};
const admin = async (method: string, query = '') => {
  const r = await fetch(`${gw.url}/admin/cache${query}`, { method, headers: { authorization: `Bearer ${MASTER}` } });
  return { status: r.status, body: (await r.json()) as Record<string, number | string> };
};
const cli = (...args: string[]) => runCliInProcess(['cache', ...args, '--config', configFile], { cwd: ROOT, env: { ...(process.env as Record<string, string>), NO_COLOR: '1' } });

/** A second gateway on the same database, for the red key and model a. */
const startSecond = () =>
  startTestGateway({
    server: { host: '127.0.0.1', port: 0 },
    database: { url: `file:${db}` },
    ledger: { flush_ms: 20 },
    policy: { dir: join(dir, 'policies'), watch: false },
    keys: [{ name: 'red', hash: hash(RED), team: 'red' }],
    providers: { mock: { type: 'mock' } },
    models: { a: { provider: 'mock', model: 'mock/ok' } },
  });

test('stats count entries, hits and saved spend by team and model; a purge by team and model empties just those, and the next request is a miss', async () => {
  for (const t of ['one', 'two']) await chat(RED, 'a', t);
  await chat(RED, 'b', 'one');
  await chat(BLUE, 'a', 'one');
  expect(await chat(RED, 'a', 'one')).toBe('hit');
  expect(await chat(RED, 'a', 'one')).toBe('hit');
  await Bun.sleep(1200); // hit counts are written once a second
  const all = await admin('GET');
  expect([all.status, all.body.entries, all.body.hits]).toEqual([200, 4, 2]);
  expect(Number(all.body.saved_usd)).toBeGreaterThan(0);
  expect((await admin('GET', '?team=red')).body.entries).toBe(3);
  expect((await admin('GET', '?team=red&model=a')).body.entries).toBe(2);
  const purged = await admin('DELETE', '?team=red&model=a');
  expect([purged.status, purged.body.removed]).toEqual([200, 2]);
  expect(await chat(RED, 'a', 'one')).toBe('miss');
  expect(await chat(RED, 'b', 'one')).toBe('hit');
  expect((await admin('GET', '?team=nope&extra=1')).status).toBe(400);
  const noKey = await fetch(`${gw.url}/admin/cache`);
  expect(noKey.status).toBe(401);
});

test('tollgate cache stats and purge read and change the same database', async () => {
  await chat(BLUE, 'b', 'cli');
  const stats = await cli('stats', '--team', 'blue', '--format', 'json');
  expect(stats.code).toBe(0);
  expect(JSON.parse(stats.out).entries).toBe(2);
  const table = await cli('stats');
  expect(table.out).toMatch(/ENTRIES\s+BYTES/);
  const purge = await cli('purge', '--team', 'blue');
  expect([purge.code, purge.out.trim()]).toEqual([0, 'purged 2 cache entries']);
  expect(JSON.parse((await cli('stats', '--team', 'blue', '--format', 'json')).out).entries).toBe(0);
  const audit = await runCliInProcess(['audit', '--json', '--config', configFile], { cwd: ROOT, env: { ...(process.env as Record<string, string>), NO_COLOR: '1' } });
  expect(audit.out).toContain('cache.purge');
  const bad = await cli('stats', '--format', 'xml');
  expect(bad.code).not.toBe(0);
});

test('a second gateway on the same database serves the first one\'s entries', async () => {
  const second = await startSecond();
  try {
    expect(await chat(RED, 'a', 'shared across instances')).toBe('miss');
    const r = await fetch(`${second.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${RED}` }, body: JSON.stringify({ model: 'a', messages: [{ role: 'user', content: 'shared across instances' }] }) });
    await r.text();
    expect(r.headers.get('x-tollgate-cache')).toBe('hit');
  } finally {
    await second.stop();
  }
});

test('a purge on one gateway is seen at once by another gateway on the same database, whose memory front held the entry', async () => {
  const second = await startSecond();
  const onSecond = async (text: string) => {
    const r = await fetch(`${second.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${RED}` }, body: JSON.stringify({ model: 'a', messages: [{ role: 'user', content: text }] }) });
    await r.text();
    return r.headers.get('x-tollgate-cache');
  };
  const secondStats = async () => (await (await fetch(`${second.url}/admin/cache`, { headers: { authorization: `Bearer ${MASTER}` } })).json()) as Record<string, number>;
  try {
    expect(await onSecond('purged elsewhere')).toBe('miss');
    await Bun.sleep(30);
    expect(await onSecond('purged elsewhere')).toBe('hit');
    expect((await secondStats()).memory_entries).toBeGreaterThan(0);
    const purged = await admin('DELETE', '?team=red&model=a');
    expect(purged.body.removed).toBeGreaterThan(0);
    expect(await onSecond('purged elsewhere')).toBe('miss');
  } finally {
    await second.stop();
  }
});

test('metrics count hits, misses and the spend hits saved', async () => {
  expect(await chat(RED, 'b', 'metrics')).toBe('miss');
  expect(await chat(RED, 'b', 'metrics')).toBe('hit');
  const text = await (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${MASTER}` } })).text();
  expect(text).toMatch(/tollgate_cache_requests_total\{[^}]*result="hit"[^}]*\} [1-9]/);
  expect(text).toMatch(/tollgate_cache_requests_total\{[^}]*result="miss"[^}]*\} [1-9]/);
  expect(text).toMatch(/tollgate_cache_saved_micro_usd_total\{[^}]*\} [1-9]/);
});
