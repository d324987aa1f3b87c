import { expect, test } from 'bun:test';
import { capturePrompt } from './capture.ts';

const opts = { types: ['email' as const], maxBytes: 1 << 20, retentionMs: null };

test('PII is masked at any depth: past the nesting bound the subtree is not kept at all', () => {
  let deep: unknown = { note: 'mail ann@example.com' };
  for (let i = 0; i < 70; i++) deep = { a: deep };
  const c = capturePrompt({ tools: [{ function: { parameters: deep } }] }, undefined, opts);
  expect(c.request).not.toContain('ann@example.com');
  expect(c.request).toContain('[nested too deep to keep]');
});

test('object keys are masked too, and vectors are kept as their length', () => {
  const c = capturePrompt({ metadata: { 'bob@example.com': 'x' } }, { value: { data: [{ embedding: Array.from({ length: 32 }, () => 0.5) }] } }, opts);
  expect(c.request).not.toContain('bob@example.com');
  expect(JSON.parse(c.response!)).toEqual({ data: [{ embedding: '[32 numbers]' }] });
});
