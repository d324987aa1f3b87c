import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseTar } from 'nanotar';
import type { RegoFiles, RegoProblem } from './compiler/types.ts';
import { parseDataFile, readPolicyDir, type DataDocument, type ReadResult } from './policy-files.ts';

/**
 * Policy sources from an OPA bundle, as `opa test --bundle` reads one: a `.tar.gz` (or `.tar`)
 * archive, or a directory with a `.manifest`. Every `*.rego` is a source (its `*_test.rego`
 * tests run too); only files named `data.json`, `data.yaml` or `data.yml` are data, mounted at
 * their folder's path (`/teams/eu/data.json` → `data.teams.eu`, a `data/` folder included, as
 * OPA does). Anything else (a plain policy directory) is read by `readPolicyDir`.
 */

const BUNDLE_DATA = new Set(['data.json', 'data.yaml', 'data.yml']);
const isArchive = (path: string): boolean => /\.(tar|tar\.gz|tgz)$/.test(path);

/** True when `path` is read as an OPA bundle. */
export function isBundlePath(path: string): boolean {
  try {
    return statSync(path).isDirectory() ? existsSync(join(path, '.manifest')) : isArchive(path);
  } catch {
    return false;
  }
}

/** A policy directory, a bundle directory or a bundle archive. */
export function readPolicySources(path: string): ReadResult {
  if (!isBundlePath(path)) return readPolicyDir(path);
  const fail = (message: string): ReadResult => ({ ok: false, errors: [{ file: path, line: 0, col: 0, message }] });
  let entries: { name: string; text: () => string }[];
  try {
    entries = statSync(path).isDirectory() ? dirEntries(path) : archiveEntries(path);
  } catch (e) {
    return fail(`cannot read the bundle: ${e instanceof Error ? e.message : String(e)}`);
  }
  const files: RegoFiles = {};
  const dataFiles: Record<string, DataDocument> = {};
  const mounts: Record<string, string[]> = {};
  const errors: RegoProblem[] = [];
  for (const entry of entries) {
    const name = entry.name.replace(/^\.?\/+/, '');
    const parts = name.split('/');
    const base = parts.at(-1) ?? '';
    if (name.endsWith('.rego')) files[name] = entry.text();
    else if (BUNDLE_DATA.has(base)) {
      const parsed = parseDataFile(name, entry.text());
      if (!parsed.ok) errors.push(parsed.error);
      else {
        dataFiles[name] = parsed.doc;
        mounts[name] = parts.slice(0, -1);
      }
    }
  }
  if (Object.keys(files).length === 0 && errors.length === 0) return fail('the bundle has no .rego files');
  return errors.length > 0 ? { ok: false, errors } : { ok: true, sources: { files, dataFiles, mounts, root: path } };
}

function archiveEntries(path: string): { name: string; text: () => string }[] {
  const raw = new Uint8Array(readFileSync(path));
  const tar = raw[0] === 0x1f && raw[1] === 0x8b ? Bun.gunzipSync(raw) : raw;
  const decoder = new TextDecoder();
  return parseTar(tar)
    .filter((e) => e.type !== 'directory' && e.data)
    .map((e) => ({ name: e.name, text: () => decoder.decode(e.data) }));
}

function dirEntries(dir: string): { name: string; text: () => string }[] {
  const out: { name: string; text: () => string }[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (!name.startsWith('.')) walk(p);
      } else out.push({ name: relative(dir, p).split(sep).join('/'), text: () => readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}
