import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { yamlBuiltinsModule } from './opa-wasm-yaml.ts';

type Builtins = Record<'yaml.is_valid' | 'yaml.marshal' | 'yaml.unmarshal', (x: unknown) => unknown>;
const opaWasm = resolve(import.meta.dir, '../node_modules/@open-policy-agent/opa-wasm/src/builtins/yaml.js');
const dir = mkdtempSync(join(tmpdir(), 'tollgate-opa-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'v2.cjs'), yamlBuiltinsModule());
// What opa-wasm ships (on its own yaml v1) and what the build embeds instead (on v2).
const v1 = require(opaWasm) as Builtins;
const v2 = require(join(dir, 'v2.cjs')) as Builtins;

const documents = [
  'a: 1\nb: [x, "y", 2.5]\nc: {d: null, e: true}\n',
  '- 1\n- two\n- 3.0\n',
  'plain',
  '',
  '"quoted: string"',
  'key: |\n  multi\n  line\n',
  'anchors: &a {x: 1}\nref: *a\n',
  'date: 2024-01-02\nhex: 0x1F\noct: 0o17\nyes: yes\n',
  '~',
  'a: 1\na: 2\n', // duplicate key
  'a: [1, 2\n', // unterminated flow sequence
  'a:\n  - b\n c: d\n', // bad indentation
  '---\na: 1\n---\nb: 2\n', // two documents
  'foo: *missing\n', // unknown alias
  42,
  null,
];

test.each(documents.map((d) => [JSON.stringify(d), d]))('yaml.unmarshal and yaml.is_valid of %s answer as opa-wasm does', (_, doc) => {
  expect(v2['yaml.is_valid'](doc)).toEqual(v1['yaml.is_valid'](doc));
  expect(v2['yaml.unmarshal'](doc)).toEqual(v1['yaml.unmarshal'](doc));
});

// Where v1 departed from OPA (the Go reference `policy test` runs), v2 answers as OPA does:
// checked with the Rego compiler's eval of yaml.is_valid and yaml.marshal.
test.each([['\t- tab\n']])('%j is invalid YAML, as OPA has it (v1 took it)', (doc) => {
  expect(v1['yaml.is_valid'](doc)).toBe(true);
  expect(v2['yaml.is_valid'](doc)).toBe(false);
  expect(v2['yaml.unmarshal'](doc)).toBeUndefined();
});

test('a null member is marshalled as OPA writes it, `c: null` (v1 wrote `? c`)', () => {
  const value = { a: 1, b: [1, 'two', { c: null }], d: true };
  expect(v1['yaml.marshal'](value)).toContain('? c');
  expect(v2['yaml.marshal'](value)).toBe('a: 1\nb:\n  - 1\n  - two\n  - c: null\nd: true\n');
});

const values = [
  { a: 1, b: [1, 'two', { c: 'x' }], d: true },
  ['x', 'y: z', '- dash', '#hash', 'yes', '123', ''],
  'a string with a\nnewline',
  'x'.repeat(100) + ' ' + 'y'.repeat(100),
  { nested: { deeper: { list: [[1, 2], [3]] } } },
  3.25,
  null,
  {},
  [],
];

test.each(values.map((v) => [JSON.stringify(v), v]))('yaml.marshal of %s writes what opa-wasm writes', (_, value) => {
  expect(v2['yaml.marshal'](value)).toBe(v1['yaml.marshal'](value) as string);
});
