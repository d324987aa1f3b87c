import { expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createPolicyRuntime } from '../../src/policy/runtime.ts';
import { runCliInProcess } from '../support/cli-in-process.ts';

// Finding 14 was: `cache` accepted but not enforced. The response cache (issue 16) made it real,
// so setting it warns no more, and a malformed `cache` is a type error at check time.
const POLICIES = resolve(import.meta.dir, '../../policies');

test('policy check: a policy that sets cache (and log_prompts) gets no has-no-effect warning; a wrong cache field is an error', async () => {
  // In-process (runCli, as src/main.ts runs it), with an empty compile cache of its own.
  const env = { ...(process.env as Record<string, string>), TOLLGATE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'tollgate-inert-cache-')) };
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-inert-'));
  mkdirSync(join(dir, 'gateway'));
  writeFileSync(join(dir, 'gateway', 'd.rego'), 'package gateway\n\ndecision := {"allowed": true, "log_prompts": true,\n  "cache": {"mode": "read_write", "scope": "team", "ttl_s": 60}}\n');
  const { code, out, err } = await runCliInProcess(['policy', 'check', dir], { cwd: process.cwd(), env });
  expect(code).toBe(0);
  expect(out).toContain('OK');
  expect(err).not.toContain('has no effect');
  writeFileSync(join(dir, 'gateway', 'd.rego'), 'package gateway\n\ndecision := {"allowed": true, "cache": {"mode": "sometimes"}}\n');
  const bad = await runCliInProcess(['policy', 'check', dir], { cwd: process.cwd(), env });
  expect(bad.code).not.toBe(0);
  expect(bad.err).toContain('cache');
  const shipped = await runCliInProcess(['policy', 'check', POLICIES], { cwd: process.cwd(), env });
  expect(shipped.code).toBe(0);
  expect(shipped.err).not.toContain('has no effect');
}, 60_000);

test('loading a policy that sets cache logs no has-no-effect warning (as serve does)', async () => {
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (m: string, f?: Record<string, unknown>) => warnings.push(`${m} ${JSON.stringify(f)}`) };
  const rt = await createPolicyRuntime({
    sources: { files: { 'gateway/d.rego': 'package gateway\n\nimport rego.v1\n\ndecision := {"allowed": true, "cache": {"mode": "read"}}\n' }, dataFiles: {} },
    name: 'inline',
    logger,
  });
  await rt.close();
  expect(warnings.filter((w) => w.includes('no effect'))).toEqual([]);
}, 30_000);
