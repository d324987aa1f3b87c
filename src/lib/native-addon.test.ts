import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { loadCompressedAddon } from './native-addon.ts';

const dir = mkdtempSync(join(tmpdir(), 'native-addon-'));
const br = join(dir, 'libsql.node.br');
// The installed libSQL addon (npm installs only this platform's; the tests run on Linux).
beforeAll(() => {
  if (process.platform !== 'linux') return;
  const addon = readFileSync(require.resolve(`@libsql/linux-${process.arch}-gnu/index.node`));
  writeFileSync(br, brotliCompressSync(addon, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const isLibsql = (exports: unknown) => typeof (exports as Record<string, unknown>).databaseOpen === 'function';

test.skipIf(process.platform !== 'linux')('the addon is inflated into the cache directory once, then opened from there', () => {
  const cache = join(dir, 'cache');
  expect(isLibsql(loadCompressedAddon(br, 'test', { TOLLGATE_CACHE_DIR: cache }))).toBe(true);
  const files = readdirSync(cache);
  expect(files).toHaveLength(1);
  expect(files).toEqual(['addon-test.node']);
  expect(isLibsql(loadCompressedAddon(br, 'test', { TOLLGATE_CACHE_DIR: cache }))).toBe(true);
  expect(readdirSync(cache)).toEqual(files);
});

test.skipIf(process.platform !== 'linux')('an unusable cache directory falls back to a temporary copy', () => {
  const notADir = join(dir, 'a-file');
  writeFileSync(notADir, '');
  expect(isLibsql(loadCompressedAddon(br, 'test', { TOLLGATE_CACHE_DIR: notADir }))).toBe(true);
});

test.skipIf(process.platform !== 'linux')('with no cache directory it uses a temporary copy and leaves nothing behind', () => {
  // A temporary directory of this test's own: other processes make tollgate-addon-* in /tmp too.
  const tmp = mkdtempSync(join(dir, 'tmp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    expect(isLibsql(loadCompressedAddon(br, 'test', { HOME: '/' }))).toBe(true);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  expect(readdirSync(tmp)).toEqual([]);
});
