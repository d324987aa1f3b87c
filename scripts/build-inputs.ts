/**
 * A content hash of everything a build's output depends on, so `npm run build` (and pretest)
 * can reuse dist/tollgate when nothing changed. The hash is stored beside the binary.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

const stampOf = (outfile: string) => `${outfile}.inputs`;

/** True when `outfile` exists and was built from inputs with this hash. */
export function isUpToDate(outfile: string, hash: string): boolean {
  return existsSync(outfile) && existsSync(stampOf(outfile)) && readFileSync(stampOf(outfile), 'utf8').trim() === hash;
}

/** Forgets the stamp before a build, so a failed build is never taken as current. */
export function clearStamp(outfile: string): void {
  rmSync(stampOf(outfile), { force: true });
}

export function writeStamp(outfile: string, hash: string): void {
  writeFileSync(stampOf(outfile), `${hash}\n`);
}
