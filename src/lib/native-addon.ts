/**
 * Loads a brotli-compressed Node-API addon embedded in the executable (the build compresses the
 * libSQL addon: 9.3 MiB → 2.9 MiB). The inflated addon is kept in the user's cache directory,
 * named by a hash of its bytes the build computed, so only the first start pays for inflating
 * (~25 ms); later starts open it directly, without the 9 MiB temporary file Bun itself would
 * write for an uncompressed addon on every start. With no usable cache directory it is written
 * to a private temporary directory, opened and removed (the mapping outlives the file).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unbrotli } from './brotli.ts';
import { cacheDir } from './cache-dir.ts';

function open(file: string): unknown {
  const module = { exports: {} };
  process.dlopen(module, file);
  return module.exports;
}

function openCached(dir: string, name: string, inflate: () => Uint8Array): unknown {
  const file = join(dir, name);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Written aside and renamed, so a concurrent or interrupted start never opens half a file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, inflate(), { mode: 0o700 });
    renameSync(partial, file);
  }
  return open(file);
}

function openTemporary(inflate: () => Uint8Array): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-addon-'));
  try {
    const file = join(dir, 'addon.node');
    writeFileSync(file, inflate(), { mode: 0o700 });
    return open(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The exports of the addon whose brotli-compressed bytes are at `brPath`; `id` names its content. */
export function loadCompressedAddon(brPath: string, id: string, env: NodeJS.ProcessEnv = process.env): unknown {
  const inflate = () => unbrotli(readFileSync(brPath));
  const dir = cacheDir(env);
  if (dir) {
    try {
      return openCached(dir, `addon-${id}.node`, inflate);
    } catch {
      // a read-only or unwritable cache directory: fall back to a temporary copy
    }
  }
  return openTemporary(inflate);
}
