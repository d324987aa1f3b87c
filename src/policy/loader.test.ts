import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTar } from 'nanotar';
import { createRegoCompiler } from './compiler/index.ts';
import type { RegoCompiler } from './compiler/types.ts';
import { createPolicyEngine } from './engine.ts';
import { formatProblem, loadBundle, loadPolicies } from './loader.ts';
import { mergeData, mountPath, readPolicyDir } from './policy-files.ts';

const POLICY = 'package gateway\n\ndecision := {"allowed": input.request.stream == true, "reasons": [data.greeting]}\n';
const POLICY_TEST = 'package gateway\n\ntest_ok if decision.allowed with input as {"request": {"stream": true}}\n';

let root: string;
let compiler: RegoCompiler;

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'p-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tollgate-loader-'));
  compiler = await createRegoCompiler();
}, 60_000);

afterAll(async () => {
  await compiler?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('data files', () => {
  test('mount at their folder, with data/ as the root', () => {
    expect(mountPath('teams.yaml')).toEqual([]);
    expect(mountPath('data/teams.yaml')).toEqual([]);
    expect(mountPath('data/eu/teams.yaml')).toEqual(['eu']);
    expect(mountPath('gateway/x/data.json')).toEqual(['gateway', 'x']);
  });

  test('merge, with config data winning', () => {
    const { data, errors } = mergeData(
      { 'data/a.yaml': { teams: { a: { rpm: 1 } } }, 'data/b.json': { teams: { b: { rpm: 2 } } }, 'eu/c.yaml': { x: 1 } },
      { teams: { a: { rpm: 10 } } },
    );
    expect(errors).toEqual([]);
    expect(data).toEqual({ teams: { a: { rpm: 10 }, b: { rpm: 2 } }, eu: { x: 1 } });
  });

  test('two files setting one value is a conflict naming both', () => {
    const { errors } = mergeData({ 'data/a.yaml': { teams: { a: 1 } }, 'data/b.yaml': { teams: { a: 2 } } });
    expect(errors.map(formatProblem)).toEqual(['data/b.yaml: data conflict: data.teams.a is also set by data/a.yaml']);
  });

  test('a YAML error has file:line:col; a non-object file is refused', () => {
    const dir = tree({ 'p.rego': POLICY, 'data/bad.yaml': 'teams:\n  a: [1, 2\n', 'data/list.json': '[1]' });
    const r = readPolicyDir(dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatProblem)).toEqual([`${dir}/data/bad.yaml:3:1: ${r.errors[0]?.message}`, `${dir}/data/list.json:1:1: a data file must hold an object`]);
  });

  test('a directory without policies', () => {
    const r = readPolicyDir(tree({ 'readme.txt': 'x' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.message).toBe('no .rego files found');
  });
});

describe('loadPolicies', () => {
  test('compiles, runs the tests and merges data', async () => {
    const dir = tree({ 'gateway/p.rego': POLICY, 'gateway/p_test.rego': POLICY_TEST, 'data/d.yaml': 'greeting: hi\n', '.hidden/x.rego': 'not rego' });
    const r = await loadPolicies({ dir, compiler });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.tests).toEqual({ passed: 1, total: 1 });
    expect(r.policy.data).toEqual({ greeting: 'hi' });
    expect(r.policy.revision).toMatch(/^[0-9a-f]{16}$/);
    const engine = await createPolicyEngine({ wasm: r.policy.wasm, data: r.policy.data });
    expect(engine.evaluate({ request: { stream: true } } as never).decision).toEqual({ allowed: true, reasons: ['hi'] });
  });

  test('the revision changes with the data', async () => {
    const a = await loadPolicies({ dir: tree({ 'p.rego': POLICY }), data: { greeting: 'a' }, compiler });
    const b = await loadPolicies({ dir: tree({ 'p.rego': POLICY }), data: { greeting: 'b' }, compiler });
    expect(a.ok && b.ok && a.policy.revision !== b.policy.revision).toBe(true);
  });

  test('a syntax error is refused with file:line:col', async () => {
    const dir = tree({ 'gateway/p.rego': 'package gateway\n\ndecision := {"allowed": \n' });
    const r = await loadPolicies({ dir, compiler });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatProblem(r.errors[0] ?? { file: '', line: 0, col: 0, message: '' })).toBe(`${dir}/gateway/p.rego:4:0: unexpected eof token`);
  });

  test('a builtin that needs the network is refused at its call', async () => {
    const dir = tree({ 'p.rego': 'package gateway\n\ndecision := {"allowed": true, "reasons": [http.send({"method": "get", "url": "x"}).body]}\n' });
    const r = await loadPolicies({ dir, compiler });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map(formatProblem)).toEqual([`${dir}/p.rego:3:43: builtin http.send is not available to gateway policies: it needs the network at evaluation time; fetch data into policy data or config instead`]);
  });

  test('a failing test refuses the policy, naming the test and the failed line', async () => {
    const failing = 'package gateway\n\ntest_denies if {\n\tnot decision.allowed with input as {"request": {"stream": true}}\n}\n';
    // The tests run with the directory's own data files (as `policy test` runs them), not config data.
    const dir = tree({ 'gateway/p.rego': POLICY, 'gateway/p_test.rego': failing, 'data/d.yaml': 'greeting: hi\n' });
    const r = await loadPolicies({ dir, compiler });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatProblem(r.errors[0] ?? { file: '', line: 0, col: 0, message: '' })).toStartWith(`${dir}/gateway/p_test.rego:3:1: test data.gateway.test_denies failed: ${dir}/gateway/p_test.rego:4:2: failed:`);
  });

  test('the default policies compile and pass their tests', async () => {
    const r = await loadPolicies({ dir: join(import.meta.dir, '../../policies'), compiler });
    if (!r.ok) throw new Error(r.errors.map(formatProblem).join('\n'));
    expect(r.policy.tests.passed).toBe(r.policy.tests.total);
    expect(r.policy.tests.total).toBeGreaterThanOrEqual(30);
  });
});

describe('bundles (opa build -t wasm)', () => {
  async function bundle(entries: Record<string, string | Uint8Array>, gzip = true): Promise<string> {
    const tar = createTar(Object.entries(entries).map(([name, data]) => ({ name, data })));
    const path = join(mkdtempSync(join(root, 'b-')), 'bundle.tar.gz');
    writeFileSync(path, gzip ? Bun.gzipSync(new Uint8Array(tar)) : tar);
    return path;
  }

  test('reads /policy.wasm, /data.json and the manifest revision', async () => {
    const c = await compiler.compile({ files: { 'p.rego': POLICY }, entrypoints: ['gateway/decision'] });
    if (!c.ok) throw new Error('compile failed');
    const path = await bundle({ '/policy.wasm': c.wasm, '/data.json': '{"greeting": "from bundle"}', '/.manifest': '{"revision": "v42", "roots": [""]}', '/p.rego': POLICY });
    const r = loadBundle({ bundle: path, data: { extra: 1 } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.revision).toBe('v42');
    expect(r.policy.data).toEqual({ greeting: 'from bundle', extra: 1 });
    const engine = await createPolicyEngine({ wasm: r.policy.wasm, data: r.policy.data, revision: r.policy.revision });
    expect(engine.evaluate({ request: { stream: true } } as never)).toMatchObject({ revision: 'v42', decision: { allowed: true, reasons: ['from bundle'] } });
  });

  test('a plain tar without a manifest', async () => {
    const c = await compiler.compile({ files: { 'p.rego': POLICY }, entrypoints: ['gateway/decision'] });
    if (!c.ok) throw new Error('compile failed');
    const r = loadBundle({ bundle: await bundle({ 'policy.wasm': c.wasm }, false) });
    expect(r.ok && r.policy.revision.length === 16).toBe(true);
  });

  test('a bundle without policy.wasm, or not a tarball', async () => {
    const r = loadBundle({ bundle: await bundle({ '/data.json': '{}' }) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.message).toContain('no /policy.wasm');
    const missing = loadBundle({ bundle: join(root, 'nope.tar.gz') });
    expect(missing.ok).toBe(false);
  });
});
