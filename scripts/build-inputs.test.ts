import { afterEach, beforeEach, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearStamp, hashInputs, isUpToDate, writeStamp, type BuildInputs } from './build-inputs.ts';

let root: string;
let inputs: BuildInputs;
const put = (path: string, text: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'build-inputs-'));
  put('src/main.ts', 'main');
  put('src/lib/a.ts', 'a');
  put('policies/p.rego', 'package p');
  inputs = { root, patterns: ['src/**', 'policies/**'], ignore: (p) => p.endsWith('.test.ts'), facts: { bun: '1.0.0', target: 'bun-linux-x64' } };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test('the hash is stable and independent of the order of patterns and facts', () => {
  const h = hashInputs(inputs);
  expect(h).toMatch(/^[0-9a-f]{64}$/);
  expect(hashInputs({ ...inputs, patterns: ['policies/**', 'src/**'], facts: { target: 'bun-linux-x64', bun: '1.0.0' } })).toBe(h);
});

test('changing, adding, removing or renaming an input file changes the hash', () => {
  const h = hashInputs(inputs);
  put('src/lib/a.ts', 'b');
  const changed = hashInputs(inputs);
  expect(changed).not.toBe(h);
  put('src/lib/new.ts', '');
  expect(hashInputs(inputs)).not.toBe(changed);
  rmSync(join(root, 'src/lib/new.ts'));
  expect(hashInputs(inputs)).toBe(changed);
  rmSync(join(root, 'src/lib/a.ts'));
  put('src/lib/c.ts', 'b');
  expect(hashInputs(inputs)).not.toBe(changed);
});

test('a changed fact (bun version, target) changes the hash', () => {
  const h = hashInputs(inputs);
  expect(hashInputs({ ...inputs, facts: { ...inputs.facts, bun: '1.0.1' } })).not.toBe(h);
  expect(hashInputs({ ...inputs, facts: { ...inputs.facts, target: 'bun-linux-arm64' } })).not.toBe(h);
});

test('ignored and unmatched files do not change the hash', () => {
  const h = hashInputs(inputs);
  put('src/lib/a.test.ts', 'test');
  put('README.md', 'docs');
  expect(hashInputs(inputs)).toBe(h);
});

test('a file is up to date only with its stamp, and not after the stamp is cleared', () => {
  const out = join(root, 'dist/tollgate');
  put('dist/tollgate', 'binary');
  expect(isUpToDate(out, 'abc')).toBe(false);
  writeStamp(out, 'abc');
  expect(isUpToDate(out, 'abc')).toBe(true);
  expect(isUpToDate(out, 'abd')).toBe(false);
  clearStamp(out);
  expect(isUpToDate(out, 'abc')).toBe(false);
});

test('a binary replaced after the build is not up to date', () => {
  const out = join(root, 'dist/tollgate');
  put('dist/tollgate', 'binary');
  writeStamp(out, 'abc');
  put('dist/tollgate', 'another binary');
  expect(isUpToDate(out, 'abc')).toBe(false);
});
