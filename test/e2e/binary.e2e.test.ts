import { afterAll, beforeAll, expect, test } from 'bun:test';
import { createClient } from '@libsql/client';
import OpenAI from 'openai';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnBinary, type Spawned } from '../helpers/spawn-binary.ts';

const BIN = resolve(import.meta.dir, '../../dist/tollgate');
let dir: string;
let gw: Spawned;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error('dist/tollgate is missing: run `npm run build` (npm test does it first)');
  dir = mkdtempSync(join(tmpdir(), 'tollgate-e2e-'));
  // An empty directory, no node_modules, no config: the embedded defaults must carry it.
  gw = await spawnBinary(BIN, ['--port', '0'], { cwd: dir, env: { PATH: '/usr/bin:/bin', HOME: dir } });
});
afterAll(() => gw?.kill());

test('the binary serves the mock model from an empty directory through the OpenAI SDK', async () => {
  const client = new OpenAI({ baseURL: gw.url + '/v1', apiKey: 'anything', maxRetries: 0 });
  const r = await client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'ping' }] });
  expect(r.choices[0]!.message.content).toBe('Mock reply to: ping');
  const stream = await client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'one two three' }], stream: true });
  let text = '';
  for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
  expect(text).toBe('Mock reply to: one two three');
});

test('the binary lists models and answers health checks', async () => {
  const models = (await (await fetch(gw.url + '/v1/models')).json()) as { data: { id: string }[] };
  expect(models.data.map((m) => m.id)).toContain('mock-gpt');
  expect((await fetch(gw.url + '/readyz')).status).toBe(200);
});

test('SIGTERM drains, exits 0 and leaves every usage row in ./data/tollgate.db', async () => {
  const client = new OpenAI({ baseURL: gw.url + '/v1', apiKey: 'anything', maxRetries: 0 });
  await Promise.all(Array.from({ length: 5 }, (_, i) => client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: `n${i}` }] })));
  const code = await gw.terminate();
  expect(code).toBe(0);
  const db = createClient({ url: 'file:' + join(dir, 'data/tollgate.db') });
  const rows = await db.execute("SELECT count(*) AS n, sum(output_tokens) AS out FROM usage WHERE outcome = 'ok'");
  db.close();
  expect(Number(rows.rows[0]!.n)).toBe(7); // 2 from the first test + these 5
  expect(Number(rows.rows[0]!.out)).toBeGreaterThan(0);
});
