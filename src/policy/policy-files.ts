import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Json, RegoFiles, RegoProblem, RegoTestResult } from './compiler/types.ts';

/**
 * Reads a policy directory: every `*.rego` (recursively) and every data file (`*.json`,
 * `*.yaml`, `*.yml`). A data file is mounted at its folder's path relative to the directory,
 * as OPA does (`teams/eu/x.yaml` → `data.teams.eu`), except that a top-level `data/` folder
 * stands for the root (`data/teams.yaml` → `data`), so samples can live together in `data/`.
 */

export type DataDocument = Record<string, Json>;

/**
 * A JSON round trip: what a policy sees is JSON (YAML's .inf becomes null, undefined keys
 * vanish), so the value is one. Used for parsed files and config data alike.
 */
export function toDataDocument(value: object): DataDocument {
  return JSON.parse(JSON.stringify(value)) as DataDocument;
}

export interface PolicySources {
  /**
   * Rego sources keyed by path relative to the policy directory, `*_test.rego` included. The
   * compiler writes these paths into the wasm, so relative keys make one set of policies
   * compile to the same wasm (and revision) wherever it lives, built-in ones included.
   */
  files: RegoFiles;
  /** Data files, already parsed, keyed by path relative to the policy directory. */
  dataFiles: Record<string, DataDocument>;
  /** The directory read, to show problems at their real path; absent for built-in policies. */
  root?: string;
  /** Where data files are mounted when not by `mountPath` (an OPA bundle: by folder, `data/` included). */
  mounts?: Record<string, string[]>;
}

export type ReadResult = { ok: true; sources: PolicySources } | { ok: false; errors: RegoProblem[] };

const DATA_EXT = /\.(json|ya?ml)$/;

export const isTestFile = (path: string): boolean => path.endsWith('_test.rego');

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
}

/** Parses JSON or YAML (JSON is YAML 1.2) with line:col for errors. */
export function parseDataFile(path: string, text: string): { ok: true; doc: DataDocument } | { ok: false; error: RegoProblem } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    return { ok: false, error: { file: path, line: pos.line, col: pos.col, message: err.message.split('\n')[0] ?? err.message } };
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return { ok: true, doc: {} }; // an empty file
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: { file: path, line: 1, col: 1, message: 'a data file must hold an object' } };
  return { ok: true, doc: toDataDocument(value) };
}

export function readPolicyDir(dir: string): ReadResult {
  let paths: string[] = [];
  try {
    walk(dir, paths);
  } catch (e) {
    const missing = e instanceof Error && 'code' in e && e.code === 'ENOENT';
    const message = missing ? `no such policy directory (\`tollgate policy export ${dir}\` writes the built-in policies there)` : `cannot read the policy directory: ${String(e)}`;
    return { ok: false, errors: [{ file: dir, line: 0, col: 0, message }] };
  }
  paths = paths.filter((p) => p.endsWith('.rego') || DATA_EXT.test(p));
  const files: RegoFiles = {};
  const dataFiles: Record<string, DataDocument> = {};
  const errors: RegoProblem[] = [];
  for (const path of paths) {
    const text = readFileSync(path, 'utf8');
    const rel = relative(dir, path).split(sep).join('/');
    if (path.endsWith('.rego')) {
      files[rel] = text;
      continue;
    }
    const parsed = parseDataFile(path, text);
    if (parsed.ok) dataFiles[rel] = parsed.doc;
    else errors.push(parsed.error);
  }
  if (Object.keys(files).length === 0 && errors.length === 0) errors.push({ file: dir, line: 0, col: 0, message: 'no .rego files found' });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, sources: { files, dataFiles, root: dir } };
}

/** A problem in a source file, shown at the file's path on disk (`policies/gateway/x.rego`). */
export function onDisk<P extends { file: string }>(sources: PolicySources, problem: P): P {
  const { root } = sources;
  const known = problem.file in sources.files || problem.file in sources.dataFiles;
  return root && known ? { ...problem, file: join(root, problem.file) } : problem;
}

/** A test result with its location (and the location its failure names) on disk. */
export function testOnDisk(sources: PolicySources, t: RegoTestResult): RegoTestResult {
  if (!t.location) return t;
  const location = onDisk(sources, t.location);
  const prefix = `${t.location.file}:`;
  const failReason = t.fail_reason?.startsWith(prefix) ? `${location.file}:${t.fail_reason.slice(prefix.length)}` : t.fail_reason;
  return { ...t, location, ...(failReason === undefined ? {} : { fail_reason: failReason }) };
}

/** Where a data file (path relative to the policy directory) is mounted in `data`. */
export function mountPath(relPath: string): string[] {
  const dirs = relPath.split('/').slice(0, -1);
  return dirs[0] === 'data' ? dirs.slice(1) : dirs;
}

const isObject = (v: Json | undefined): v is DataDocument => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Merges the data files into one document. Two files setting the same non-object value is an
 * error naming both (as OPA's merge conflict); `overrides` (config `policy.data`) win outright.
 */
export function mergeData(dataFiles: Record<string, DataDocument>, overrides: object = {}, mounts: Record<string, string[]> = {}): { data: DataDocument; errors: RegoProblem[] } {
  const data: DataDocument = {};
  const owner = new Map<string, string>();
  const errors: RegoProblem[] = [];
  const put = (target: DataDocument, key: string, value: Json, path: string, file: string): void => {
    const existing = target[key];
    if (isObject(existing) && isObject(value)) {
      for (const [k, v] of Object.entries(value)) put(existing, k, v, `${path}.${k}`, file);
    } else if (existing !== undefined) {
      errors.push({ file, line: 0, col: 0, message: `data conflict: ${path} is also set by ${owner.get(path) ?? 'another file'}` });
    } else {
      target[key] = isObject(value) ? structuredClone(value) : value;
      owner.set(path, file);
      if (isObject(value)) for (const k of Object.keys(value)) owner.set(`${path}.${k}`, file);
    }
  };
  for (const [rel, doc] of Object.entries(dataFiles)) {
    let node = data;
    let path = 'data';
    for (const seg of mounts[rel] ?? mountPath(rel)) {
      path += `.${seg}`;
      const next = node[seg];
      if (next !== undefined && !isObject(next)) {
        errors.push({ file: rel, line: 0, col: 0, message: `data conflict: ${path} is not an object` });
        break;
      }
      if (isObject(next)) node = next;
      else {
        const created: DataDocument = {};
        node[seg] = created;
        node = created;
      }
    }
    for (const [k, v] of Object.entries(doc)) put(node, k, v, `${path}.${k}`, rel);
  }
  return { data: deepOverride(data, toDataDocument(overrides)), errors };
}

/** The sources' data files merged (at their mounts), then `overrides`. */
export const mergeSources = (sources: PolicySources, overrides?: object): { data: DataDocument; errors: RegoProblem[] } => mergeData(sources.dataFiles, overrides, sources.mounts);

function deepOverride(base: DataDocument, over: DataDocument): DataDocument {
  for (const [k, v] of Object.entries(over)) {
    const existing = base[k];
    base[k] = isObject(existing) && isObject(v) ? deepOverride(existing, v) : v;
  }
  return base;
}
