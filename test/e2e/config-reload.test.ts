import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type Gateway } from '../../src/server/start.ts';
import { configSource } from '../../src/cli/config-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-reload-'));
const file = join(dir, 'gateway.config.yaml');
const errors: string[] = [];
let gw: Gateway;

const cfg = (models: string) => `server: { host: 127.0.0.1, port: 0, allow_anonymous: true }\ndatabase: { url: ':memory:' }\nproviders:\n  mock: { type: mock }\nmodels:\n${models}`;

beforeAll(async () => {
  writeFileSync(file, cfg('  first: { provider: mock, model: mock/ok }\n'));
  gw = await startGateway({
    source: configSource(file),
    signals: false,
    quiet: true,
    logger: { debug() {}, info() {}, warn() {}, error: (m, f) => errors.push(m + ' ' + JSON.stringify(f)) },
  });
});
afterAll(() => gw.stop());

const ids = async () => ((await (await fetch(gw.url + '/v1/models')).json()) as { data: { id: string }[] }).data.map((m) => m.id);

async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await Bun.sleep(50);
  }
  return check();
}

test('an edited config is picked up while the server runs', async () => {
  expect(await ids()).toEqual(['first']);
  // Editors save by writing a temp file and renaming it over the original.
  writeFileSync(file + '.tmp', cfg('  second: { provider: mock, model: mock/ok }\n'));
  renameSync(file + '.tmp', file);
  expect(await eventually(async () => (await ids()).includes('second'))).toBe(true);
});

test('a broken edit keeps the running config and logs file:line', async () => {
  const before = await ids();
  writeFileSync(file, cfg('  third: { provider: mock, model: mock/ok, colour: red }\n'));
  expect(await eventually(async () => errors.length > 0)).toBe(true);
  expect(errors[0]).toContain('gateway.config.yaml:6');
  expect(errors[0]).toContain("unknown key 'colour'");
  expect(await ids()).toEqual(before);
});
