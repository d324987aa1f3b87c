import { readFileSync } from 'node:fs';
import { parseTar, type ParsedTarFileItem } from 'nanotar';
import type { RegoProblem } from './compiler/types.ts';
import { parseDataFile, type DataDocument } from './policy-files.ts';

/**
 * Reads an OPA bundle built with `opa build -t wasm`: `/policy.wasm`, `/data.json` and the
 * optional `/.manifest` (whose `revision`, when set, names the policy). Rego sources in the
 * bundle are not needed (the wasm is already built) and its tests are not run.
 */

export interface WasmBundle {
  wasm: Uint8Array;
  data: DataDocument;
  /** The manifest's revision, if the bundle has one. */
  revision?: string;
}

export type BundleResult = { ok: true; bundle: WasmBundle } | { ok: false; errors: RegoProblem[] };

const strip = (name: string): string => name.replace(/^\.?\//, '');

export function readBundle(path: string): BundleResult {
  const fail = (message: string): BundleResult => ({ ok: false, errors: [{ file: path, line: 0, col: 0, message }] });
  let entries: ParsedTarFileItem[];
  try {
    const raw = new Uint8Array(readFileSync(path));
    // gzip magic: a plain .tar is accepted too.
    const tar = raw[0] === 0x1f && raw[1] === 0x8b ? Bun.gunzipSync(raw) : raw;
    entries = parseTar(tar);
  } catch (e) {
    return fail(`cannot read the bundle: ${String(e)}`);
  }
  const file = (name: string) => entries.find((e) => strip(e.name) === name && e.type !== 'directory');
  const wasm = file('policy.wasm')?.data;
  if (!wasm) return fail('the bundle has no /policy.wasm; build it with `opa build -t wasm -e gateway/decision`');

  let data: DataDocument = {};
  const dataEntry = file('data.json');
  if (dataEntry?.data) {
    const parsed = parseDataFile(`${path}:/data.json`, new TextDecoder().decode(dataEntry.data));
    if (!parsed.ok) return { ok: false, errors: [parsed.error] };
    data = parsed.doc;
  }

  let revision: string | undefined;
  const manifest = file('.manifest');
  if (manifest?.data) {
    const parsed = parseDataFile(`${path}:/.manifest`, new TextDecoder().decode(manifest.data));
    if (!parsed.ok) return { ok: false, errors: [parsed.error] };
    if (typeof parsed.doc.revision === 'string' && parsed.doc.revision !== '') revision = parsed.doc.revision;
  }
  return { ok: true, bundle: { wasm, data, revision } };
}
