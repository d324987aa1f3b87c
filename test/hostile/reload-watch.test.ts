import { afterEach, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSource } from '../../src/cli/config-source.ts';
import type { Logger } from '../../src/lib/logger.ts';
import { startGateway, type Gateway } from '../../src/server/start.ts';

// Issue 11 item 13: config and policy reloads survive the ways files really change in
// production (a ConfigMap's ..data symlink swap, a policies directory deleted and made again),
// and a reload says which edits need a restart instead of claiming they were applied.
let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const lines: string[] = [];
const logger: Logger = { debug() {}, info: (m, f) => lines.push(`info ${m} ${JSON.stringify(f)}`), warn: (m, f) => lines.push(`warn ${m} ${JSON.stringify(f)}`), error: (m, f) => lines.push(`error ${m} ${JSON.stringify(f)}`) };

const cfg = (models: string[], extra = '') => `server: { host: 127.0.0.1, port: 0, allow_anonymous: true }
database: { url: ':memory:' }
providers: { mock: { type: mock } }
models:
${models.map((m) => `  ${m}: { provider: mock, model: mock/ok }`).join('\n')}
${extra}`;

async function eventually(check: () => Promise<boolean> | boolean, ms = 5_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await Bun.sleep(50);
  }
  return check();
}

const ids = async () => ((await (await fetch(gw!.url + '/v1/models')).json()) as { data: { id: string }[] }).data.map((m) => m.id);

test('a Kubernetes ConfigMap update (the ..data symlink swapped atomically) reloads the config', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-configmap-'));
  // The layout kubelet writes: a timestamped directory, ..data pointing at it, the file a symlink through ..data.
  const version = (name: string, models: string[]) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'gateway.config.yaml'), cfg(models, 'policy: { enabled: false }'));
  };
  version('..2026_01', ['first']);
  symlinkSync('..2026_01', join(dir, '..data'));
  symlinkSync('..data/gateway.config.yaml', join(dir, 'gateway.config.yaml'));
  gw = await startGateway({ source: configSource(join(dir, 'gateway.config.yaml')), signals: false, quiet: true, logger });
  expect(await ids()).toEqual(['first']);
  version('..2026_02', ['first', 'second']);
  symlinkSync('..2026_02', join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  rmSync(join(dir, '..2026_01'), { recursive: true });
  expect(await eventually(async () => (await ids()).includes('second'))).toBe(true);
});

test('an edit of port, host, logging or tls is logged as needing a restart, not as reloaded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-restart-'));
  const file = join(dir, 'gateway.config.yaml');
  writeFileSync(file, cfg(['first'], 'policy: { enabled: false }\nlogging: { level: info }'));
  gw = await startGateway({ source: configSource(file), signals: false, quiet: true, logger });
  lines.length = 0;
  writeFileSync(file, cfg(['first'], 'policy: { enabled: false }\nlogging: { level: debug, format: text }').replace('port: 0', 'port: 4999').replace('127.0.0.1', 'localhost'));
  expect(await eventually(() => lines.some((l) => l.includes('needs a restart')))).toBe(true);
  const warning = lines.find((l) => l.includes('needs a restart'))!;
  for (const f of ['server.host', 'server.port', 'logging.level', 'logging.format']) expect(warning).toContain(f);
  await Bun.sleep(300);
  expect(lines.some((l) => l.includes('config reloaded'))).toBe(false);
  // The gateway still serves where it started; a live edit beside a restart-only one is applied and said so.
  expect(await ids()).toEqual(['first']);
  writeFileSync(file, cfg(['first', 'second'], 'policy: { enabled: false }\nlogging: { level: debug, format: text }').replace('port: 0', 'port: 4999'));
  expect(await eventually(async () => (await ids()).includes('second'))).toBe(true);
  expect(lines.some((l) => l.includes('config reloaded'))).toBe(true);
});

const ALLOW = 'package gateway\n\ndefault decision := {"allowed": true}\n';
const DENY = (why: string) => `package gateway\n\ndefault decision := {"allowed": false, "reasons": ["${why}"]}\n`;

test('a policies directory deleted and restored is watched again: the restored policy and later edits take effect', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-policy-dir-'));
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  writeFileSync(join(policies, 'gateway.rego'), ALLOW);
  const file = join(dir, 'gateway.config.yaml');
  writeFileSync(file, cfg(['first'], 'policy: { dir: policies }'));
  gw = await startGateway({ source: configSource(file), signals: false, quiet: true, logger });
  const ask = async () => (await fetch(gw!.url + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'first', messages: [{ role: 'user', content: 'hi' }] }) })).status;
  expect(await ask()).toBe(200);
  rmSync(policies, { recursive: true });
  expect(await eventually(() => lines.some((l) => l.includes('policy directory removed')))).toBe(true);
  expect(await ask()).toBe(200);
  mkdirSync(policies);
  writeFileSync(join(policies, 'gateway.rego'), DENY('restored'));
  expect(await eventually(async () => (await ask()) === 403, 15_000)).toBe(true);
  // The case that used to go silent: an edit after the restore.
  writeFileSync(join(policies, 'gateway.rego'), ALLOW);
  expect(await eventually(async () => (await ask()) === 200, 15_000)).toBe(true);
}, 40_000);

test('a policies directory mounted from a ConfigMap reloads on its ..data swap', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-policy-configmap-'));
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  const version = (name: string, rego: string) => {
    mkdirSync(join(policies, name));
    writeFileSync(join(policies, name, 'gateway.rego'), rego);
  };
  version('..2026_01', ALLOW);
  symlinkSync('..2026_01', join(policies, '..data'));
  symlinkSync('..data/gateway.rego', join(policies, 'gateway.rego'));
  const file = join(dir, 'gateway.config.yaml');
  writeFileSync(file, cfg(['first'], 'policy: { dir: policies }'));
  gw = await startGateway({ source: configSource(file), signals: false, quiet: true, logger });
  const ask = async () => (await fetch(gw!.url + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'first', messages: [{ role: 'user', content: 'hi' }] }) })).status;
  expect(await ask()).toBe(200);
  version('..2026_02', DENY('swapped'));
  symlinkSync('..2026_02', join(policies, '..data_tmp'));
  renameSync(join(policies, '..data_tmp'), join(policies, '..data'));
  expect(await eventually(async () => (await ask()) === 403, 15_000)).toBe(true);
}, 30_000);
