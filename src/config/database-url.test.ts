import { expect, test } from 'bun:test';
import { databaseFile, databaseUrlProblem, resolveDatabaseUrl } from './database-url.ts';

test('a relative file: URL resolves against the base directory; others are left alone', () => {
  expect(resolveDatabaseUrl('file:./data/x.db', '/etc/tollgate')).toBe('file:/etc/tollgate/data/x.db');
  expect(resolveDatabaseUrl('file:x.db?mode=ro', '/srv')).toBe('file:/srv/x.db?mode=ro');
  expect(resolveDatabaseUrl('file:/var/lib/t.db', '/srv')).toBe('file:/var/lib/t.db');
  expect(resolveDatabaseUrl('file:///var/lib/t.db', '/srv')).toBe('file:///var/lib/t.db');
  for (const url of [':memory:', 'http://sqld:8080', 'libsql://db.turso.io']) expect(resolveDatabaseUrl(url, '/srv')).toBe(url);
});

test('supported schemes pass; others are named', () => {
  for (const url of ['file:./x.db', ':memory:', 'http://h:8080', 'https://h', 'ws://h', 'wss://h', 'libsql://db.turso.io']) expect(databaseUrlProblem(url)).toBeUndefined();
  expect(databaseUrlProblem('postgres://h/db')).toBe("unsupported database URL scheme 'postgres:'");
  // libSQL aborts the whole process on a NUL in a path: refused before it is opened.
  expect(databaseUrlProblem('file:/tmp/a\u0000b.db')).toBe('the database URL has a control character (U+0000) at position 12');
  expect(databaseUrlProblem('http://h\n:8080')).toBe('the database URL has a control character (U+000A) at position 9');
  expect(databaseUrlProblem('./x.db')).toBe("'./x.db' is not a database URL");
  expect(databaseUrlProblem('file:')).toBe("'file:' names no file");
});

test('databaseFile gives the local path of file: URLs only', () => {
  expect(databaseFile('file:/a/b.db?mode=ro')).toBe('/a/b.db');
  expect(databaseFile('file:///a/b.db')).toBe('/a/b.db');
  expect(databaseFile('http://h')).toBeUndefined();
});
