import { expect, test } from 'bun:test';
import { renderEmbeddedPolicies } from '../../../scripts/gen-embedded-policies.ts';
import { resolve } from 'node:path';
import { compileKey } from '../compile-cache.ts';
import { createRegoCompiler } from '../compiler/index.ts';
import { DEFAULT_ENTRYPOINT } from '../engine.ts';
import { compilePolicySources, formatProblem } from '../loader.ts';
import { readPolicyDir } from '../policy-files.ts';
import { embeddedPolicySources } from './index.ts';

test('the embedded policies are the current policies/ directory', async () => {
  const current = await Bun.file(new URL('./files.ts', import.meta.url)).text();
  expect(current).toBe(renderEmbeddedPolicies());
});

test('the embedded sources hold Rego files, their tests and parsed data', () => {
  const s = embeddedPolicySources();
  expect(Object.keys(s.files)).toContain('gateway/decision.rego');
  expect(Object.keys(s.files).some((f) => f.endsWith('_test.rego'))).toBe(true);
  expect(Object.keys(s.dataFiles)).toContain('examples/teams.yaml');
});

test('the built-in policies and ./policies are one set: same sources, same compiled revision', async () => {
  const read = readPolicyDir(resolve(import.meta.dir, '../../../policies'));
  if (!read.ok) throw new Error(read.errors.map(formatProblem).join('\n'));
  const embedded = embeddedPolicySources();
  expect(await compileKey(embedded, {}, DEFAULT_ENTRYPOINT)).toBe(await compileKey(read.sources, {}, DEFAULT_ENTRYPOINT));
  const compiler = await createRegoCompiler();
  try {
    const [a, b] = [await compilePolicySources(embedded, { compiler }), await compilePolicySources(read.sources, { compiler })];
    if (!a.ok || !b.ok) throw new Error('the default policies do not compile');
    expect(a.policy.revision).toBe(b.policy.revision);
  } finally {
    await compiler.close();
  }
}, 60_000);
