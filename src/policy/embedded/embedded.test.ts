import { expect, test } from 'bun:test';
import { renderEmbeddedPolicies } from '../../../scripts/gen-embedded-policies.ts';
import { embeddedPolicySources } from './index.ts';

test('the embedded policies are the current policies/ directory', async () => {
  const current = await Bun.file(new URL('./files.ts', import.meta.url)).text();
  expect(current).toBe(renderEmbeddedPolicies());
});

test('the embedded sources hold Rego files, their tests and parsed data', () => {
  const s = embeddedPolicySources();
  expect(Object.keys(s.files)).toContain('gateway/decision.rego');
  expect(Object.keys(s.files).some((f) => f.endsWith('_test.rego'))).toBe(true);
  expect(Object.keys(s.dataFiles)).toContain('data/teams.yaml');
});
