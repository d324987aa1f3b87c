/**
 * A content hash of everything a build's output depends on, so `npm run build` (and pretest)
 * can reuse dist/tollgate when nothing changed. The hash is stored beside the binary.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface BuildInputs {
  /** Directory the patterns are relative to. */
  root: string;
  /** Globs (Bun.Glob) of input files. */
  patterns: readonly string[];
  /** Files matching a pattern that do not affect the output (tests, the uncompressed wasm). */
  ignore?: (path: string) => boolean;
  /** Inputs that are not files: tool versions, the target, defines. */
  facts: Readonly<Record<string, string>>;
}

/** sha256 over the sorted (path, content) of every input file and the facts. */
export function hashInputs({ root, patterns, ignore = () => false, facts }: BuildInputs): string {
  const files = new Set<string>();
  for (const pattern of patterns) {
    for (const path of new Bun.Glob(pattern).scanSync({ cwd: root, onlyFiles: true, dot: true })) {
      if (!ignore(path)) files.add(path.replaceAll('\\', '/'));
    }
  }
  const hasher = new Bun.CryptoHasher('sha256');
  for (const path of [...files].sort()) {
    const content = readFileSync(join(root, path));
    hasher.update(`file ${path} ${content.byteLength}\n`);
    hasher.update(content);
  }
  for (const key of Object.keys(facts).sort()) hasher.update(`fact ${key} ${facts[key]}\n`);
  return hasher.digest('hex');
}

// A dotfile (dist/.tollgate.inputs), so `dist/tollgate-*` globs match the binaries only.
const stampOf = (outfile: string) => join(dirname(outfile), `.${basename(outfile)}.inputs`);

// The binary's size and mtime are recorded too, so a binary replaced by hand is not taken as current.
const stampLine = (outfile: string, hash: string) => {
  const { size, mtimeMs } = statSync(outfile);
  return `${hash} ${size} ${Math.round(mtimeMs)}`;
};

/** True when `outfile` exists and is the one built from inputs with this hash. */
export function isUpToDate(outfile: string, hash: string): boolean {
  if (!existsSync(outfile) || !existsSync(stampOf(outfile))) return false;
  return readFileSync(stampOf(outfile), 'utf8').trim() === stampLine(outfile, hash);
}

/** Forgets the stamp before a build, so a failed build is never taken as current. */
export function clearStamp(outfile: string): void {
  rmSync(stampOf(outfile), { force: true });
}

/** Records that `outfile`, as it is now, was built from inputs with this hash. */
export function writeStamp(outfile: string, hash: string): void {
  writeFileSync(stampOf(outfile), `${stampLine(outfile, hash)}\n`);
}
