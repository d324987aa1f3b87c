/**
 * The libSQL native addon for a build target, brotli-compressed for embedding (src/lib/brotli.ts). npm installs only
 * the host's optional dependency, so other targets' packages are fetched with `npm pack` (same
 * version as the installed libsql) into .cache/libsql/ (gitignored) and kept there.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliMax } from '../src/lib/brotli.ts';
import type { Target } from './targets.ts';

const root = resolve(import.meta.dir, '..');
const cacheDir = join(root, '.cache/libsql');
// Brotli 11: 3.08 MB (zstd 19: 3.24 MB) in ~40 s, once per libsql version and target; inflating
// takes ~40 ms, on a first start only (src/lib/native-addon.ts caches the inflated addon).

function libsqlVersion(): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules/libsql/package.json'), 'utf8')) as { version: string }).version;
}

function run(cmd: string[], cwd: string): string {
  const r = Bun.spawnSync(cmd, { cwd, stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed (${r.exitCode}): ${r.stderr.toString().trim()}`);
  return r.stdout.toString().trim();
}

function installedAddon(pkg: string, version: string): string | undefined {
  const dir = join(root, 'node_modules', pkg);
  if (!existsSync(join(dir, 'index.node'))) return undefined;
  const installed = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return installed === version ? join(dir, 'index.node') : undefined;
}

function packedAddon(pkg: string, version: string, dir: string): string {
  const addon = join(dir, 'package/index.node');
  if (existsSync(addon)) return addon;
  mkdirSync(dir, { recursive: true });
  const tgz = run(['npm', 'pack', `${pkg}@${version}`, '--silent', '--pack-destination', dir], root).split('\n').pop()!;
  run(['tar', 'xzf', tgz], dir);
  rmSync(join(dir, tgz));
  if (!existsSync(addon)) throw new Error(`${pkg}@${version} has no index.node`);
  return addon;
}

/** Path of `<cache>/<pkg>-<version>/index.node.br` for the target, creating it when missing. */
export function compressedLibsqlAddon(target: Target): string {
  const version = libsqlVersion();
  const dir = join(cacheDir, `${target.libsql.replace('@libsql/', '')}-${version}`);
  const out = join(dir, 'index.node.br');
  if (existsSync(out)) return out;
  const addon = installedAddon(target.libsql, version) ?? packedAddon(target.libsql, version, dir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${out}.tmp`, brotliMax(readFileSync(addon)));
  renameSync(`${out}.tmp`, out);
  return out;
}
