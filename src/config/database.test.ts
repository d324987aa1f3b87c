import { expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, formatProblem, parseConfig } from './load.ts';

const docs = readFileSync(resolve(import.meta.dir, '../../docs/config.md'), 'utf8');
const blocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
const env = new Proxy({} as Record<string, string>, { get: (_, name) => `value-of-${String(name)}` });
const problems = (text: string): string[] => {
  try {
    parseConfig(text, 'c.yaml', env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
    throw e;
  }
};
const withDb = (db: string) => `providers: { mock: { type: mock } }\ndatabase: ${db}\n`;

test('the sections example in docs/config.md is a valid config', () => {
  // `hash: "sha256:…"` is the docs' placeholder for a digest.
  const sections = blocks.find((b) => b.startsWith('server:'))?.replace('sha256:…', `sha256:${'0'.repeat(64)}`);
  expect(sections).toBeDefined();
  expect(problems(sections!)).toEqual([]);
  // And it serves as is: no replica of a placeholder server.
  expect(parseConfig(sections!, 'c.yaml', env).config.database).toEqual({ url: 'file:./data/tollgate.db' });
});

test('every database form docs/config.md lists passes the check', () => {
  const forms = blocks.find((b) => b.startsWith('database:'))!.split('\n').filter((l) => l.startsWith('database:'));
  expect(forms.length).toBe(5);
  for (const line of forms) expect(problems(`providers: { mock: { type: mock } }\n${line.replace(/\s+#.*$/, '')}\n`)).toEqual([]);
});

test('config check refuses what serve would fail on', () => {
  expect(problems(withDb('{ url: ./data/tollgate.db }'))[0]).toContain('database.url: \'./data/tollgate.db\' is not a database URL');
  expect(problems(withDb('{ url: "http://sqld:8080", sync_url: "http://sqld:8080" }'))[0]).toContain('database.sync_url: sync_url needs a file: url');
});

test('an existing plain database cannot become a replica, and the check says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-dbcheck-'));
  const file = join(dir, 'tollgate.db');
  const text = withDb(`{ url: "file:${file}", sync_url: "http://127.0.0.1:9" }`);
  expect(problems(text)).toEqual([]);
  writeFileSync(file, '');
  expect(problems(text)).toEqual([`c.yaml:2:18: database.url: ${file} is a plain database, and libSQL cannot make it an embedded replica of sync_url (point url at a new file; the replica is filled from sync_url)`]);
  writeFileSync(`${file}-client_wal_index`, '');
  expect(problems(text)).toEqual([]);
});
