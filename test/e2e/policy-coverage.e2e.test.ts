import { afterAll, expect, test } from 'bun:test';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { runCliInProcess } from '../support/cli-in-process.ts';
import { childEnv } from '../support/child-env.ts';

/**
 * `tollgate policy test --coverage`, OPA bundles and schema checks. The first test and the
 * config check run the built binary (dist/tollgate, `npx bun scripts/build.ts`); the others run
 * the same CLI in this process (test/support/cli-in-process.ts), sharing its compiled Rego
 * compiler instead of paying a binary's compiler start (~5 s of CPU) each.
 */

const BIN = resolve(import.meta.dir, '../../dist/tollgate');
const POLICIES = resolve(import.meta.dir, '../../policies');
const root = mkdtempSync(join(tmpdir(), 'tollgate-coverage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A cache of its own per run: a test pass is never replayed from another test.
const runEnv = () => ({ PATH: '/usr/bin:/bin', HOME: root, TOLLGATE_CACHE_DIR: mkdtempSync(join(root, 'cache-')) });

function runBinary(...args: string[]) {
  const p = Bun.spawnSync([BIN, 'policy', ...args], { cwd: root, env: childEnv(runEnv()) });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

const run = (...args: string[]) => runCliInProcess(['policy', ...args], { cwd: root, env: runEnv() });

function tree(files: Record<string, string>, dir = mkdtempSync(join(root, 'p-'))): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

// Line 3 is tested; the rule at lines 5-7 is not: 1 of 3 policy lines, 1 of 1 test line.
const HALF_TESTED = {
  'gateway/p.rego': 'package gateway\n\nsmall if input.request.max_tokens < 100\n\nbig if {\n\tinput.request.max_tokens >= 100\n}\n',
  'gateway/p_test.rego': 'package gateway\n\ntest_small if small with input as {"request": {"max_tokens": 5}}\n',
};

test('--coverage prints each file with its percentage and untested lines, then the overall percentage', async () => {
  const dir = tree(HALF_TESTED);
  const r = runBinary('test', '--coverage', dir);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toStartWith('PASS: 1/1\n\n');
  expect(r.out).toContain(`${dir}/gateway/p.rego        33.33%  (1/3 lines)  not covered: 5-6\n`);
  expect(r.out).toContain(`${dir}/gateway/p_test.rego  100.00%  (1/1 lines)\n`);
  expect(r.out.trimEnd()).toEndWith('COVERAGE: 50.00% (2/4 lines)');
});

test("--coverage --json prints OPA's coverage report; --threshold fails below it with OPA's message", async () => {
  const dir = tree(HALF_TESTED);
  const json = await run('test', '--coverage', '--json', dir);
  expect(json.code).toBe(0);
  const report = JSON.parse(json.out) as { coverage: number; covered_lines: number; not_covered_lines: number; files: Record<string, { not_covered?: { start: { row: number }; end: { row: number } }[] }> };
  expect(report).toMatchObject({ coverage: 50, covered_lines: 2, not_covered_lines: 2 });
  expect(Object.keys(report.files).sort()).toEqual([`${dir}/gateway/p.rego`, `${dir}/gateway/p_test.rego`]);
  expect(report.files[`${dir}/gateway/p.rego`]!.not_covered!.map((r) => [r.start.row, r.end.row])).toEqual([
    [5, 5],
    [6, 6],
  ]);

  const below = await run('test', '--threshold', '80', dir);
  expect(below.code).toBe(1);
  expect(below.err.trim()).toBe('Code coverage threshold not met: got 50.00 instead of 80.00');
  expect((await run('test', '--threshold', '50', dir)).code).toBe(0);
  expect(await run('test', '--threshold', '101', dir)).toMatchObject({ code: 1, err: "error: --threshold: expected a percentage between 0 and 100, got '101'\n" });
  expect((await run('test', '--json', dir)).err).toContain('--json prints the coverage report');
}, 60_000);

test('--coverage on the built-in policies; a failing test is reported instead of coverage', async () => {
  const dir = mkdtempSync(join(root, 'builtin-'));
  cpSync(POLICIES, dir, { recursive: true });
  const r = await run('test', '--coverage', '--json', dir);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.out) as { coverage: number; files: Record<string, unknown> };
  expect(report.coverage).toBeGreaterThan(80);
  expect(Object.keys(report.files)).toContain(`${dir}/gateway/decision.rego`);

  writeFileSync(join(dir, 'gateway/zz_test.rego'), 'package gateway\n\ntest_wrong if allowed with input as {"request": {"model": "m"}, "key": {"team": "t"}}\n\t with data.teams as {"t": {"models": ["x"]}}\n');
  const failing = await run('test', '--coverage', dir);
  expect(failing.code).toBe(1);
  expect(failing.out).toContain('data.gateway.test_wrong: FAIL');
  expect(failing.out).not.toContain('COVERAGE');
}, 60_000);

// An OPA bundle: data.json/data.yaml mount at their folder (a data/ folder too); other JSON is not data.
const BUNDLE = {
  '.manifest': '{"revision": "r1"}',
  'gateway/p.rego': 'package gateway\n\nteam_models := data.teams[input.key.team].models\n\nflag := data.data.extra.flag\n',
  'gateway/p_test.rego':
    'package gateway\n\ntest_team_models if team_models == ["gpt-4o"] with input as {"key": {"team": "research"}}\n\ntest_data_folder if flag == true\n',
  'teams/data.json': '{"research": {"models": ["gpt-4o"]}}',
  'data/extra/data.yaml': 'flag: true\n',
  'gateway/notes.json': 'not json: {',
};

test('a bundle directory (with a .manifest) runs its tests with its data at their paths', async () => {
  const dir = tree(BUNDLE);
  const r = await run('test', '-v', dir);
  expect(r.err).toBe('');
  expect(r.out).toContain('data.gateway.test_team_models: PASS');
  expect(r.out).toContain('data.gateway.test_data_folder: PASS');
  expect(r.code).toBe(0);
});

test('a .tar.gz bundle runs its tests (and coverage); a failing test in it fails the run', async () => {
  const dir = tree(BUNDLE);
  const archive = join(root, 'bundle.tar.gz');
  expect(Bun.spawnSync(['tar', '-czf', archive, '-C', dir, '.']).exitCode).toBe(0);
  const r = await run('test', archive);
  expect(r.out.trim()).toBe('PASS: 2/2');
  expect(r.code).toBe(0);
  const cov = await run('test', '--coverage', '--json', archive);
  expect(JSON.parse(cov.out)).toMatchObject({ coverage: 100 });

  writeFileSync(join(dir, 'gateway/p_test.rego'), BUNDLE['gateway/p_test.rego'].replace('["gpt-4o"]', '["other"]'));
  const broken = join(root, 'broken.tar.gz');
  Bun.spawnSync(['tar', '-czf', broken, '-C', dir, '.']);
  const f = await run('test', broken);
  expect(f.code).toBe(1);
  expect(f.out).toContain(`${broken}/gateway/p_test.rego:3:\ndata.gateway.test_team_models: FAIL`);
}, 60_000);

test('policy check refuses an input field typo at file:line:col with the nearest field, and a decision key typo', async () => {
  const dir = mkdtempSync(join(root, 'typo-'));
  cpSync(POLICIES, dir, { recursive: true });
  writeFileSync(join(dir, 'gateway/extra.rego'), 'package gateway\n\ndeny contains {"status": 403, "message": "no"} if {\n\tinput.request.modle == "gpt-x"\n}\n\ndecision.rate_limit := {"rpn": 5}\n');
  const r = await run('check', dir);
  expect(r.code).toBe(1);
  const lines = r.err.trim().split('\n');
  expect(lines).toHaveLength(1); // the input typo stops the type check before the decision check
  expect(lines[0]).toStartWith(`${dir}/gateway/extra.rego:4:2: undefined ref: input.request.modle: input.request has no field "modle" in docs/policy-input.schema.json#/properties/request; did you mean "model"?`);

  writeFileSync(join(dir, 'gateway/extra.rego'), 'package gateway\n\ndecision.rate_limit := {"rpn": 5}\n');
  const d = await run('check', dir);
  expect(d.code).toBe(1);
  expect(d.err).toStartWith(`${dir}/gateway/extra.rego:3:25: undefined decision key: data.gateway.decision.rate_limit.rpn: the decision schema has no key "rpn" under data.gateway.decision.rate_limit; did you mean "rpm"?`);
}, 60_000);

test('config check refuses a policy directory with a typo the same way (serve shares the compile path)', async () => {
  const dir = mkdtempSync(join(root, 'cfg-'));
  cpSync(POLICIES, join(dir, 'policies'), { recursive: true });
  writeFileSync(join(dir, 'policies/gateway/extra.rego'), 'package gateway\n\nmax_token := 100\n');
  const config = join(dir, 'gateway.config.yaml');
  writeFileSync(config, 'providers:\n  mock: { type: mock }\nmodels:\n  m: { provider: mock, model: mock/ok }\npolicy:\n  dir: policies\n');
  const p = Bun.spawnSync([BIN, 'config', 'check', config], { cwd: dir, env: childEnv({ PATH: '/usr/bin:/bin', HOME: dir, TOLLGATE_CACHE_DIR: join(dir, 'cache') }) });
  expect(p.exitCode).toBe(1);
  expect(p.stderr.toString()).toContain(`${dir}/policies/gateway/extra.rego:3:1: rule max_token is never read by data.gateway.decision; did you mean "max_tokens"?`);
}, 60_000);
