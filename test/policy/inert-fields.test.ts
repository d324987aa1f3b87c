import { expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createPolicyRuntime } from '../../src/policy/runtime.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

// Finding 14: `cache` is accepted but not enforced; whoever sets it is told. (`log_prompts` now
// acts: prompt capture, test/e2e/prompt-capture.test.ts.)
const POLICIES = resolve(import.meta.dir, '../../policies');

test('policy check warns, with file:line:col, about every decision field that has no effect, and no longer about log_prompts', async () => {
  // In-process (runCli, as src/main.ts runs it), with an empty compile cache of its own.
  const env = { ...(process.env as Record<string, string>), TOLLGATE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'tollgate-inert-cache-')) };
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-inert-'));
  mkdirSync(join(dir, 'gateway'));
  writeFileSync(join(dir, 'gateway', 'd.rego'), 'package gateway\n\n# log_prompts in a comment is no use\ndecision := {"allowed": true, "log_prompts": true,\n  "cache": {"mode": "read"}}\n');
  const { code, out, err } = await runCliInProcess(['policy', 'check', dir], { cwd: process.cwd(), env });
  expect(code).toBe(0);
  expect(out).toContain('OK');
  expect(err).toContain(`${dir}/gateway/d.rego:5:4: warning: the decision field 'cache' has no effect`);
  expect(err).not.toContain('log_prompts');
  // The shipped policies set log_prompts, which is real now: no warning.
  const shipped = await runCliInProcess(['policy', 'check', POLICIES], { cwd: process.cwd(), env });
  expect(shipped.code).toBe(0);
  expect(shipped.err).not.toContain('has no effect');
}, 30_000);

test('loading a policy that sets cache logs a warning (as serve does)', async () => {
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (m: string, f?: Record<string, unknown>) => warnings.push(`${m} ${JSON.stringify(f)}`) };
  const rt = await createPolicyRuntime({
    sources: { files: { 'gateway/d.rego': 'package gateway\n\nimport rego.v1\n\ndecision := {"allowed": true, "cache": {"mode": "read"}}\n' }, dataFiles: {} },
    name: 'inline',
    logger,
  });
  await rt.close();
  expect(warnings.length).toBe(1);
  expect(warnings[0]).toContain('policy sets decision fields that have no effect');
  expect(warnings[0]).toContain("gateway/d.rego:5:32: warning: the decision field 'cache' has no effect");
}, 30_000);
