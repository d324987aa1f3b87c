import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSource } from '../../src/cli/config-source.ts';
import { sha256Hex } from '../../src/lib/hash.ts';
import { startGateway, type Gateway } from '../../src/server/start.ts';

// Finding 15: an edit of policy.data in the config file takes effect on reload.
const dir = mkdtempSync(join(tmpdir(), 'tollgate-policy-data-'));
const file = join(dir, 'gateway.config.yaml');
const KEY = 'tg-policy-data-reload-key-0123456789';
let gw: Gateway;

const cfg = (models: string[]) => `server: { host: 127.0.0.1, port: 0, allow_anonymous: false }
database: { url: ':memory:' }
providers: { mock: { type: mock } }
models:
  first: { provider: mock, model: mock/ok }
  second: { provider: mock, model: mock/ok }
keys: [{ name: ci, hash: "sha256:${sha256Hex(KEY)}", team: ml }]
policy:
  data: { teams: { ml: { models: ${JSON.stringify(models)} } } }
`;

beforeAll(async () => {
  writeFileSync(file, cfg(['first']));
  gw = await startGateway({ source: configSource(file), signals: false, quiet: true, logger: { debug() {}, info() {}, warn() {}, error() {} } });
}, 30_000);
afterAll(() => gw.stop());

const ask = async (model: string) =>
  (await fetch(gw.url + '/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) })).status;

test('a policy.data edit in the config file reaches the policy', async () => {
  expect(await ask('first')).toBe(200);
  expect(await ask('second')).toBe(403);
  writeFileSync(file + '.tmp', cfg(['first', 'second']));
  renameSync(file + '.tmp', file);
  const t0 = Date.now();
  let status = 403;
  while (status !== 200 && Date.now() - t0 < 15_000) {
    await Bun.sleep(100);
    status = await ask('second');
  }
  console.log(`policy.data edit live after ${Date.now() - t0} ms`);
  expect(status).toBe(200);
}, 30_000);
