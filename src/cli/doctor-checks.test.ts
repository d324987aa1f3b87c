import { afterAll, describe, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig } from '../config/load.ts';
import { openStore } from '../store/client.ts';
import { migrate } from '../store/migrate.ts';
import { checkDatabase, checkPolicies, checkProvider, checkServer } from './doctor-checks.ts';
import { formatCheck } from './doctor.ts';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-doctor-'));
const config = (yaml: string) => parseConfig(yaml, join(dir, 'gateway.config.yaml'), {}).config;

// An upstream that records what the doctor sends it.
const seen: { method: string; path: string; auth: string | null; apiKey: string | null }[] = [];
const upstream = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  fetch(req) {
    const u = new URL(req.url);
    seen.push({ method: req.method, path: u.pathname, auth: req.headers.get('authorization'), apiKey: req.headers.get('x-api-key') });
    return new Response('not found', { status: 404 });
  },
});
afterAll(() => upstream.stop(true));

/** A port nothing listens on. */
function closedPort(): number {
  const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

describe('doctor: providers', () => {
  const SECRET = 'sk-doctor-secret-0123456789';

  test('the configured base URL only, without credentials; the key is never printed', async () => {
    const c = config(`providers:\n  up: { type: openai-compatible, base_url: 'http://127.0.0.1:${upstream.port}/v1', api_key: '${SECRET}' }\nmodels: {}\n`);
    const r = await checkProvider('up', c.providers.up!);
    expect(r.status).toBe('ok');
    expect(formatCheck(r)).toBe(`ok    provider up: openai-compatible, api_key set, http://127.0.0.1:${upstream.port}/v1 reachable (HTTP 404 without credentials)`);
    expect(seen).toEqual([{ method: 'GET', path: '/v1', auth: null, apiKey: null }]);
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  test('an unreachable base URL fails with the fix, quickly', async () => {
    const c = config(`providers:\n  anthropic: { type: anthropic, base_url: 'http://127.0.0.1:${closedPort()}', api_key: '${SECRET}' }\nmodels: {}\n`);
    const r = await checkProvider('anthropic', c.providers.anthropic!, 1000);
    expect(r.status).toBe('fail');
    expect(formatCheck(r)).toMatch(/^FAIL  provider anthropic: anthropic, api_key set, http:\/\/127\.0\.0\.1:\d+ unreachable: .+ — fix: check providers\.anthropic\.base_url/);
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  test('mock needs nothing', async () => {
    expect((await checkProvider('mock', config('providers:\n  mock: { type: mock }\nmodels: {}\n').providers.mock!)).status).toBe('ok');
  });
});

describe('doctor: database', () => {
  test('a file that does not exist yet is fine and is not created', async () => {
    const r = await checkDatabase({ url: `file:${join(dir, 'new/tollgate.db')}` });
    expect(r.status).toBe('ok');
    expect(r.detail).toContain('does not exist yet');
    expect(await Bun.file(join(dir, 'new/tollgate.db')).exists()).toBe(false);
  });

  test('a migrated database is reachable, writable and current; the probe leaves nothing', async () => {
    const url = `file:${join(dir, 'ok.db')}`;
    const store = await openStore({ url });
    await migrate(store.client);
    store.close();
    const r = await checkDatabase({ url });
    expect(formatCheck(r)).toBe(`ok    database: ${url} reachable and writable; schema up to date`);
    const again = await openStore({ url });
    const probe = await again.client.execute("SELECT name FROM sqlite_master WHERE name = 'tollgate_doctor_probe'");
    again.close();
    expect(probe.rows.length).toBe(0);
  });

  test('migrations from a newer Tollgate fail, saying to upgrade', async () => {
    const url = `file:${join(dir, 'newer.db')}`;
    const store = await openStore({ url });
    await migrate(store.client);
    await store.client.execute("INSERT INTO tollgate_migrations (tag, applied_at) VALUES ('9999_future', 0)");
    store.close();
    const r = await checkDatabase({ url });
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('migrated by a newer Tollgate (unknown migrations: 9999_future)');
    expect(r.fix).toContain('upgrade tollgate');
  });

  test('a server that accepts but never answers fails after the timeout', async () => {
    const silent = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
    const started = Date.now();
    const r = await checkDatabase({ url: `http://127.0.0.1:${silent.port}` }, 1000);
    silent.stop(true);
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('no answer within 1 s');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('a server that is not there fails within the timeout', async () => {
    const r = await checkDatabase({ url: `http://127.0.0.1:${closedPort()}` }, 2000);
    expect(r.status).toBe('fail');
    expect(r.fix).toContain('database.url');
  });
});

describe('doctor: server and policies', () => {
  test('anonymous mode on 0.0.0.0 fails unless allow_anonymous_remote says so', () => {
    const base = 'providers: {}\nmodels: {}\n';
    expect(checkServer(config(`server: { host: 0.0.0.0, allow_anonymous: true }\n${base}`))[0]!.status).toBe('fail');
    expect(checkServer(config(`server: { host: 0.0.0.0, allow_anonymous: true, allow_anonymous_remote: true }\n${base}`))[0]!.status).toBe('warn');
    expect(checkServer(config(`server: { allow_anonymous: true }\n${base}`))[0]!.status).toBe('ok');
    expect(checkServer(config(base), { TOLLGATE_MASTER_KEY: 'x' })[1]!.detail).toBe('on (TOLLGATE_MASTER_KEY is set)');
  });

  test('policies: compiled and tested, or the first problem at its file:line and the command to see all', async () => {
    const pdir = join(dir, 'policies');
    cpSync(resolve(import.meta.dir, '../../policies'), pdir, { recursive: true });
    const c = config('providers: {}\nmodels: {}\npolicy: { dir: policies }\n');
    const good = await checkPolicies(c, join(dir, 'gateway.config.yaml'));
    expect(good.status).toBe('ok');
    expect(good.detail).toMatch(/compiled, tests (\d+)\/\1 passed, revision [0-9a-f]{16}$/);
    writeFileSync(join(pdir, 'gateway/broken.rego'), 'package gateway\n\nx := \n');
    const bad = await checkPolicies(c, join(dir, 'gateway.config.yaml'));
    expect(bad.status).toBe('fail');
    expect(bad.detail).toContain(`${pdir}/gateway/broken.rego:4:`);
    expect(bad.fix).toContain(`tollgate policy check ${pdir}`);
  }, 60_000);
});
