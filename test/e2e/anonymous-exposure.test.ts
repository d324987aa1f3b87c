import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSource } from '../../src/cli/config-source.ts';
import { startGateway, StartRefused, type Gateway } from '../../src/server/start.ts';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-anon-'));
const file = join(dir, 'gateway.config.yaml');
const cfg = (server: string) => `server: { port: 0, ${server} }\ndatabase: { url: ':memory:' }\nproviders:\n  mock: { type: mock }\nmodels:\n  m: { provider: mock, model: mock/ok }\npolicy: { enabled: false }\n`;
const errors: string[] = [];
const logger = { debug() {}, info() {}, warn() {}, error: (m: string, f?: object) => errors.push(m + ' ' + JSON.stringify(f)) };
const started: Gateway[] = [];
afterAll(() => Promise.all(started.map((g) => g.stop())));

test('anonymous mode on 0.0.0.0 (from --host or the config) is refused before anything opens', async () => {
  writeFileSync(file, cfg('host: 127.0.0.1, allow_anonymous: true'));
  const refused = startGateway({ source: configSource(file), host: '0.0.0.0', signals: false, quiet: true, logger });
  await expect(refused).rejects.toBeInstanceOf(StartRefused);
  await expect(refused).rejects.toThrow(`${file}: server.allow_anonymous is on and the gateway would listen on 0.0.0.0`);
  writeFileSync(file, cfg('host: 0.0.0.0, allow_anonymous: true'));
  await expect(startGateway({ source: configSource(file), signals: false, quiet: true, logger })).rejects.toBeInstanceOf(StartRefused);
});

test('allow_anonymous_remote: true starts it; a reload cannot switch anonymous on where it is refused', async () => {
  writeFileSync(file, cfg('host: 0.0.0.0, allow_anonymous: true, allow_anonymous_remote: true'));
  started.push(await startGateway({ source: configSource(file), signals: false, quiet: true, logger }));

  writeFileSync(file, cfg('host: 0.0.0.0, allow_anonymous: false'));
  const gw = await startGateway({ source: configSource(file), signals: false, quiet: true, logger });
  started.push(gw);
  const ask = () => fetch(gw.url.replace('0.0.0.0', '127.0.0.1') + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m","messages":[{"role":"user","content":"hi"}]}' });
  expect((await ask()).status).toBe(401);
  writeFileSync(file, cfg('host: 0.0.0.0, allow_anonymous: true'));
  const end = Date.now() + 3000;
  while (Date.now() < end && !errors.some((e) => e.includes('allow_anonymous_remote'))) await Bun.sleep(50);
  expect(errors.some((e) => e.startsWith('config reload failed') && e.includes('server.allow_anonymous is on'))).toBe(true);
  expect((await ask()).status).toBe(401);
});
