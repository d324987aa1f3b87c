import { describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDED_POLICY_FILES } from '../policy/embedded/files.ts';
import { policyFiles, SAMPLE_REQUEST, writeAll } from './init.ts';

describe('init and policy export files', () => {
  test('the policy files are the built-in set, placed under the directory', () => {
    const files = policyFiles('p');
    expect(Object.keys(files).sort()).toEqual(Object.keys(EMBEDDED_POLICY_FILES).map((f) => join('p', f)).sort());
    expect(files['p/gateway/decision.rego']).toBe(EMBEDDED_POLICY_FILES['gateway/decision.rego']!);
  });

  test('the sample request names a model of the default config', () => {
    expect(JSON.parse(SAMPLE_REQUEST)).toMatchObject({ model: 'mock-gpt' });
  });

  test('writeAll writes nothing when a file exists, names it, and overwrites with force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-init-'));
    const [a, b] = [join(dir, 'a.txt'), join(dir, 'sub/b.txt')];
    writeFileSync(a, 'mine');
    expect(() => writeAll({ [a]: 'new', [b]: 'new' }, false)).toThrow(`${a} already exists; nothing was written. Pass --force to overwrite.`);
    expect(existsSync(b)).toBe(false);
    expect(readFileSync(a, 'utf8')).toBe('mine');
    writeAll({ [a]: 'new', [b]: 'new' }, true);
    expect(readFileSync(a, 'utf8') + readFileSync(b, 'utf8')).toBe('newnew');
  });
});
