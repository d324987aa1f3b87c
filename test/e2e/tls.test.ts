import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configSource } from '../../src/cli/config-source.ts';
import { ConfigError, formatProblem } from '../../src/config/load.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { startGateway } from '../../src/server/start.ts';

// A self-signed certificate for 127.0.0.1, made by openssl for this run, in `certs/` beside the
// config file, which names it by a relative path.
const dir = mkdtempSync(join(tmpdir(), 'tollgate-tls-'));
const openssl = (...args: string[]) => {
  const r = Bun.spawnSync(['openssl', ...args], { cwd: join(dir, 'certs'), stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr.toString()}`);
};

beforeAll(() => {
  mkdirSync(join(dir, 'certs'));
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  openssl('genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'other-key.pem');
  writeFileSync(join(dir, 'certs', 'garbage.pem'), '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
});

function configWith(tls: string): string {
  const file = join(dir, `gateway-${Math.random().toString(36).slice(2)}.config.yaml`);
  writeFileSync(
    file,
    `server: { host: 127.0.0.1, port: 0, allow_anonymous: true, tls: ${tls} }
database: { url: ':memory:' }
providers: { mock: { type: mock } }
models: { mock: { provider: mock, model: mock/ok } }
policy: { enabled: false }
`,
  );
  return file;
}

const start = (file: string) => startGateway({ source: configSource(file), logger: silentLogger, signals: false, quiet: true });

describe('server.tls', () => {
  let gw: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    gw = await start(configWith('{ cert: certs/cert.pem, key: certs/key.pem }'));
  });
  afterAll(async () => {
    await gw?.stop();
  });

  test('serves HTTPS with the configured certificate', async () => {
    expect(gw.url).toStartWith('https://127.0.0.1:');
    const ca = readFileSync(join(dir, 'certs', 'cert.pem'), 'utf8');
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'over TLS' }] }),
      tls: { ca },
    });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toContain('over TLS');
  });

  test('a client that does not trust the certificate is refused', async () => {
    const err = await fetch(`${gw.url}/healthz`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
  });
});

describe('a bad tls file stops the start with one line naming it', () => {
  const problemOf = async (tls: string) => {
    const e = await start(configWith(tls)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(e).toBeInstanceOf(ConfigError);
    const problems = (e as ConfigError).problems;
    expect(problems).toHaveLength(1);
    return formatProblem(problems[0]!);
  };

  test('a missing file', async () => {
    expect(await problemOf('{ cert: certs/nope.pem, key: certs/key.pem }')).toBe(`${join(dir, 'certs', 'nope.pem')}:1:1: server.tls.cert: file not found`);
    // Both missing: the certificate is named, every time (both were read at once, and whichever failed first was named).
    for (let i = 0; i < 5; i++) expect(await problemOf('{ cert: certs/nope.pem, key: certs/nokey.pem }')).toBe(`${join(dir, 'certs', 'nope.pem')}:1:1: server.tls.cert: file not found`);
  });

  test('a file that is not a certificate', async () => {
    expect(await problemOf('{ cert: certs/garbage.pem, key: certs/key.pem }')).toStartWith(`${join(dir, 'certs', 'garbage.pem')}:1:1: server.tls.cert: not a PEM certificate`);
  });

  test('a certificate given as the key', async () => {
    expect(await problemOf('{ cert: certs/cert.pem, key: certs/cert.pem }')).toStartWith(`${join(dir, 'certs', 'cert.pem')}:1:1: server.tls.key: not a PEM private key`);
  });

  test('a key that does not match the certificate', async () => {
    expect(await problemOf('{ cert: certs/cert.pem, key: certs/other-key.pem }')).toBe(`${join(dir, 'certs', 'other-key.pem')}:1:1: server.tls.key: this key does not belong to the certificate ${join(dir, 'certs', 'cert.pem')}`);
  });

  test('`tollgate serve` prints just that line and exits 1', async () => {
    const file = configWith('{ cert: certs/missing.pem, key: certs/key.pem }');
    const p = Bun.spawnSync([process.execPath, resolve(import.meta.dir, '../../src/main.ts'), 'serve', '-c', file], { stderr: 'pipe', stdout: 'pipe' });
    expect(p.exitCode).toBe(1);
    expect(p.stderr.toString().trim()).toBe(`${join(dir, 'certs', 'missing.pem')}:1:1: server.tls.cert: file not found`);
  });
});
