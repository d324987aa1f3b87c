import { afterAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnBinary, type Spawned } from '../helpers/spawn-binary.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { childEnv } from '../support/child-env.ts';

// A new user's first steps, from empty directories. What the binary must carry inside it is
// run through the binary: init and policy export (the embedded policy files), serve (the
// embedded built-in policies, the banner, a request) and a refused serve's exit. The rest runs
// in-process (runCli with the binary's cwd and environment), sharing this process's compiled Rego
// compiler instead of a binary's seconds of CPU for each compile.
const BIN = resolve(import.meta.dir, '../../dist/tollgate');
const home = mkdtempSync(join(tmpdir(), 'tollgate-first-'));
const ENV = { PATH: '/usr/bin:/bin', HOME: home };

/** `dist/tollgate ARGS` as a process. */
function binary(cwd: string, args: string[], env: Record<string, string> = {}) {
  const p = Bun.spawnSync([BIN, ...args], { cwd, env: childEnv({ ...ENV, ...env }) });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

/** The same command in-process. */
const run = (cwd: string, args: string[], env: Record<string, string> = {}) => runCliInProcess(args, { cwd, env: { ...ENV, ...env } });

const running: Spawned[] = [];
afterAll(async () => {
  for (const s of running) await s.terminate();
});
async function serve(cwd: string): Promise<Spawned> {
  const s = await spawnBinary(BIN, ['serve', '--port', '0'], { cwd, env: ENV });
  running.push(s);
  return s;
}

const project = mkdtempSync(join(tmpdir(), 'tollgate-init-'));
let revision = '';

describe('tollgate init, then the README policy commands as written', () => {
  test('init writes the config, the policies with tests and samples, and req.json', async () => {
    const r = binary(project, ['init']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('wrote gateway.config.yaml');
    for (const f of ['gateway.config.yaml', 'req.json', 'policies/gateway/decision.rego', 'policies/gateway/decision_test.rego', 'policies/examples/teams.yaml']) expect(existsSync(join(project, f))).toBe(true);
    expect(readFileSync(join(project, 'gateway.config.yaml'), 'utf8')).toContain('# ');
  });

  test('a second init refuses in one line and writes nothing; --force overwrites', async () => {
    writeFileSync(join(project, 'req.json'), '{"mine": true}');
    const r = await run(project, ['init']);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toMatch(/^error: \S*gateway\.config\.yaml already exists \(and \d+ more\); nothing was written\. Pass --force to overwrite\.$/);
    expect(readFileSync(join(project, 'req.json'), 'utf8')).toBe('{"mine": true}');
    expect((await run(project, ['init', '--force'])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(project, 'req.json'), 'utf8'))).toMatchObject({ model: 'mock-gpt' });
  });

  test('policy test policies', async () => {
    const r = await run(project, ['policy', 'test', 'policies']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^PASS: (\d+)\/\1$/);
  }, 60_000);

  test('policy check policies', async () => {
    const r = await run(project, ['policy', 'check', 'policies']);
    expect(r.code).toBe(0);
    revision = /revision ([0-9a-f]{16})/.exec(r.out)![1]!;
  }, 60_000);

  test('policy eval --input req.json: allowed, nothing restricted by the (inactive) samples', async () => {
    const r = await run(project, ['policy', 'eval', '--input', 'req.json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.slice(0, r.out.indexOf('\n}') + 2))).toEqual({ allowed: true, log_prompts: false });
  }, 60_000);

  test('doctor: every check ok, exit 0', async () => {
    const r = await run(project, ['doctor']);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('FAIL');
    expect(r.out).toContain(`ok    config: ${join(project, 'gateway.config.yaml')}`);
    // A relative database url is relative to the config file.
    expect(r.out).toContain(`ok    database: file:${join(project, 'data/tollgate.db')}`);
    expect(r.out).toMatch(/^warn  provider openai: off: OPENAI_API_KEY not set — fix: export OPENAI_API_KEY/m);
    expect(r.out).toContain(`ok    policies: policies/: compiled, tests`);
    expect(r.out).toContain(`revision ${revision}`);
  }, 60_000);

  test('serve: the banner names config, database, policy and revision, admin API, anonymous mode; its curl works', async () => {
    const gw = await serve(project);
    const out = gw.output();
    expect(out).toContain(`config:    ${join(project, 'gateway.config.yaml')}`);
    expect(out).toContain(`database:  file:${join(project, 'data/tollgate.db')}`);
    expect(out).toContain(`policy:    revision ${revision} from policies/`);
    expect(out).toContain('admin API: off');
    expect(out).toContain('anonymous: ON');
    const body = /-d '([^']+)'/.exec(out)![1]!;
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer anything', 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
  }, 30_000);

  test('doctor fails on a broken policy, naming file:line and the fix', async () => {
    writeFileSync(join(project, 'policies/gateway/broken.rego'), 'package gateway\n\nx := \n');
    const r = await run(project, ['doctor']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL  policies: policies\/: \S*policies\/gateway\/broken\.rego:4:\d+: .* — fix: .*tollgate policy check/m);
  }, 60_000);
});

describe('with no files at all', () => {
  const empty = mkdtempSync(join(tmpdir(), 'tollgate-empty-'));

  test('serve runs the built-in policies, with the revision of a fresh policies/ directory', async () => {
    if (!revision) revision = /revision ([0-9a-f]{16})/.exec((await run(project, ['policy', 'check', 'policies'])).out)![1]!;
    const gw = await serve(empty);
    expect(gw.output()).toContain('config:    embedded defaults');
    expect(gw.output()).toContain(`policy:    revision ${revision} from built-in policies (no policies/ directory`);
  }, 60_000);

  test('anonymous mode on 0.0.0.0 is refused in one line, even with a provider key set', async () => {
    const r = binary(empty, ['serve', '--host', '0.0.0.0', '--port', '0'], { OPENAI_API_KEY: 'sk-not-real' });
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('server.allow_anonymous is on and the gateway would listen on 0.0.0.0');
    expect(r.err).toContain('server.allow_anonymous_remote: true');
    expect(r.out).not.toContain('Bearer anything');
  });

  test('policy export writes the built-in policies alone; they pass their tests', async () => {
    const r = binary(empty, ['policy', 'export', 'exported']);
    expect(r.code).toBe(0);
    expect(existsSync(join(empty, 'exported/gateway/decision.rego'))).toBe(true);
    expect(existsSync(join(empty, 'gateway.config.yaml'))).toBe(false);
    expect((await run(empty, ['policy', 'export', 'exported'])).code).toBe(1);
    expect((await run(empty, ['policy', 'test', 'exported'])).code).toBe(0);
  }, 60_000);

  test('--help lists init and doctor; doctor on a broken config fails at its line', async () => {
    expect((await run(empty, ['--help'])).out).toMatch(/init \[options\] \[dir\][\s\S]*doctor/);
    writeFileSync(join(empty, 'bad.yaml'), 'server:\n  prot: 4000\nproviders: {}\nmodels: {}\n');
    const r = await run(empty, ['doctor', '-c', 'bad.yaml']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`FAIL  config: ${join(empty, 'bad.yaml')}:2:3: server.prot: unknown key 'prot'`);
  });

  test('doctor fails on a provider whose base URL does not answer', async () => {
    const port = (() => {
      const s = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
      const p = s.port!;
      s.stop(true);
      return p;
    })();
    writeFileSync(join(empty, 'down.yaml'), `providers:\n  up: { type: openai-compatible, base_url: 'http://127.0.0.1:${port}/v1', api_key: \${UP_KEY} }\nmodels:\n  m: { provider: up, model: m }\npolicy: { enabled: false }\n`);
    const r = await run(empty, ['doctor', '-c', 'down.yaml'], { UP_KEY: 'sk-secret-up-key' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL  provider up: openai-compatible, api_key set, http:\/\/127\.0\.0\.1:\d+\/v1 unreachable/m);
    expect(r.out + r.err).not.toContain('sk-secret-up-key');
  });
});
