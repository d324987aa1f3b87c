import { afterAll, beforeAll, expect, test } from 'bun:test';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli/index.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

const POLICIES = resolve(import.meta.dir, '../../policies');
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A compile cache of this file's own, so nothing compiled elsewhere can make a test pass.
const cacheEnv = (dir = join(root, 'cache')) => ({ ...process.env, TOLLGATE_CACHE_DIR: dir });

/** `tollgate policy …` in-process (the compiler module is compiled once for the file), output as the process would print it. */
async function inProcess(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => void (out += t + '\n'), err: (t: string) => void (err += t + '\n'), write: (t: string) => void (out += t) };
  process.exitCode = 0;
  try {
    const code = await runCli(['policy', ...args], { io, env });
    return { code, out, err };
  } finally {
    process.exitCode = 0;
  }
}

const tollgate = (...args: string[]) => inProcess(cacheEnv(), args);
/** With an empty cache of its own: a `policy test` that must run the tests, not replay a pass. */
const uncached = (...args: string[]) => inProcess(cacheEnv(mkdtempSync(join(root, 'cache-'))), args);

/**
 * As `bun src/main.ts policy ARGS` prints it to a terminal (test/support/cli-in-process.ts: console and
 * stderr writes captured, the exit code returned), without a process start (~0.5 s of CPU each);
 * the binary's own exits are proved by test/e2e/binary-cli.e2e.test.ts and cli-errors.e2e.test.ts.
 */
const asMain = (...args: string[]) => runCliInProcess(['policy', ...args], { cwd: root, env: cacheEnv() as Record<string, string> });

function copyPolicies(): string {
  const dir = mkdtempSync(join(root, 'p-'));
  cpSync(POLICIES, dir, { recursive: true });
  return dir;
}

test('policy test: the default policies pass, -v lists each test', async () => {
  // Without -v the report is the PASS line alone: the first run of the replay test below.
  const v = await uncached('test', '-v', POLICIES);
  expect(v.code).toBe(0);
  expect(v.out.trim().split('\n').at(-1)).toMatch(/^PASS: (\d+)\/\1$/);
  expect(v.out).toMatch(/^data\.gateway\.test_allows_by_default: PASS \(\d+(\.\d+)?(µs|ms)\)$/m);
  expect(v.out).toContain(`${POLICIES}/gateway/decision_test.rego:3:\n`);
}, 30_000);

test('policy test: a failing test is listed with its location and exits 1', async () => {
  const dir = copyPolicies();
  const file = join(dir, 'gateway/budget_test.rego');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"limit_usd": 500, "period"', '"limit_usd": 501, "period"'));
  const r = await uncached('test', dir);
  expect(r.code).toBe(1);
  expect(r.out).toContain(`${file}:3:\ndata.gateway.test_budget_from_team: FAIL (`);
  expect(r.out).toMatch(/^FAIL: 1\/\d+$/m);
}, 30_000);

test('policy test: a pass is replayed while nothing changed; an edit or a failure runs the tests', async () => {
  const cache = mkdtempSync(join(root, 'cache-'));
  const env = cacheEnv(cache);
  const dir = copyPolicies();
  const first = await inProcess(env, ['test', dir]);
  expect(first.code).toBe(0);
  expect(first.out.trim()).toMatch(/^PASS: (\d+)\/\1$/);
  // The same sources, data and compiler: the report again, with the note.
  const again = await inProcess(env, ['test', dir]);
  expect(again).toEqual({ ...first, out: first.out.replace(/\n$/, ' (cached)\n') });
  // Verbose output comes from the kept results too.
  expect((await inProcess(env, ['test', '-v', dir])).out).toMatch(/^data\.gateway\.test_allows_by_default: PASS \(\d+(\.\d+)?(µs|ms)\)$[\s\S]* \(cached\)\n$/m);
  const file = join(dir, 'gateway/budget_test.rego');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"limit_usd": 500, "period"', '"limit_usd": 501, "period"'));
  for (let i = 0; i < 2; i++) {
    // A failure is never kept: the second run runs the tests again and fails the same way.
    const failed = await inProcess(env, ['test', dir]);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/^FAIL: 1\/\d+$/m);
    expect(failed.out).not.toContain('(cached)');
  }
}, 30_000);

test('policy check: OK, or file:line:col errors and exit 1', async () => {
  const edited = copyPolicies();
  writeFileSync(join(edited, 'gateway/extra.rego'), 'package gateway\n\nextra := true\n');
  const ok = await tollgate('check', edited);
  expect(ok.code).toBe(0);
  expect(ok.out).toMatch(/OK \(\d+ Rego files, tests (\d+)\/\1 passed, revision [0-9a-f]{16}\)\n$/);
  // Checked before, like `go test`: served from the cache, the same line but for the note.
  const again = await tollgate('check', edited);
  expect(again.out).toBe(ok.out.replace('\n', ' (cached)\n'));
  // The built-in policies come precompiled with the binary.
  expect((await tollgate('check', POLICIES)).out).toMatch(/OK \(.*\) \(cached\)\n$/);
  const dir = copyPolicies();
  writeFileSync(join(dir, 'gateway/broken.rego'), 'package gateway\n\nx := \n');
  const bad = await tollgate('check', dir);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain(`${dir}/gateway/broken.rego:4:0: unexpected eof token`);
}, 30_000);

test('policy eval: a request body becomes an input; prints the decision and the rules', async () => {
  const req = join(root, 'req.json');
  writeFileSync(req, JSON.stringify({ model: 'gemini-flash', messages: [{ role: 'user', content: 'hi' }] }));
  // The team sample is shipped off; enable it as its header says (move it to data/).
  const dir = copyPolicies();
  mkdirSync(join(dir, 'data'), { recursive: true });
  renameSync(join(dir, 'examples/teams.yaml'), join(dir, 'data/teams.yaml'));
  const r = await tollgate('eval', '--input', req, '--dir', dir, '--team', 'support');
  expect(r.code).toBe(0);
  const decision = JSON.parse(r.out.slice(0, r.out.indexOf('\n}') + 2));
  expect(decision).toMatchObject({ allowed: false, http_status: 403, message: "model 'gemini-flash' is not allowed for team 'support'" });
  expect(r.out).toContain("reason: model 'gemini-flash' is not allowed for team 'support'");
  expect(r.out).toContain('  allowed = false\n');
}, 30_000);

test('policy schema writes the input JSON Schema', async () => {
  const out = join(root, 'schema.json');
  const r = await tollgate('schema', '--out', out);
  expect(r.code).toBe(0);
  expect(JSON.parse(readFileSync(out, 'utf8')).title).toBe('Tollgate policy input');
});

test('a missing policy directory or --input file is one line naming it and the fix', async () => {
  const missing = await asMain('test', join(root, 'nowhere'));
  expect(missing.code).toBe(1);
  expect(missing.err.trim()).toBe(`error: policy directory ${join(root, 'nowhere')} does not exist (give the directory with your .rego files, or an OPA bundle, as [path], or \`tollgate policy export ${join(root, 'nowhere')}\` writes the built-in policies there)`);
  const noInput = await asMain('eval', '--input', join(root, 'none.json'), '--dir', POLICIES);
  expect(noInput.code).toBe(1);
  expect(noInput.err.trim()).toBe(`error: --input ${join(root, 'none.json')}: cannot read it (ENOENT); give a JSON policy input document or client request body (tollgate init writes a sample req.json)`);
}, 30_000);
