/**
 * Installs the Python client libraries the tests drive Tollgate with into .tmp/py (PyPI,
 * pip --target: no virtualenv, nothing system-wide): the official `openai` and `anthropic`
 * SDKs, and for the client matrix (test/clients/) `langchain-openai`, `litellm`, `openai-agents` and
 * `instructor`, and Prometheus's own Python client, whose text parser reads /metrics in the
 * tests. Versions are pinned; the pins are stamped beside the packages, so changing one
 * reinstalls. `openai` is held at the newest release instructor's `jiter<0.15` allows.
 *
 * tiktoken (langchain-openai's embeddings tokenise their input with it, litellm counts with it)
 * downloads its BPE files from openaipublic.blob.core.windows.net on first use; with no internet
 * the tests give it the same files, rebuilt byte for byte from gpt-tokenizer's ranks (a
 * dependency) in its cache layout (TIKTOKEN_CACHE_DIR, file named by the URL's SHA-1).
 * tiktoken checks each file's SHA-256 against the one it expects, and so does this script.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PY_DIR = resolve(import.meta.dir, '../.tmp/py');
export const PY_REQUIREMENTS = ['openai==3.3.0', 'anthropic==2.15.0', 'langchain-openai==1.7.4', 'litellm==1.110.2', 'instructor==1.17.0', 'openai-agents==0.24.0', 'prometheus-client==0.26.0'];

const STAMP = join(PY_DIR, '.requirements');

export function ensurePythonSdk(): string {
  const wanted = PY_REQUIREMENTS.join('\n');
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return PY_DIR;
  rmSync(PY_DIR, { recursive: true, force: true });
  mkdirSync(PY_DIR, { recursive: true });
  const r = Bun.spawnSync(['python3', '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-warn-script-location', '--target', PY_DIR, ...PY_REQUIREMENTS], { stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`pip install ${PY_REQUIREMENTS.join(' ')} failed: ${r.stderr.toString().slice(-2000)}`);
  writeFileSync(STAMP, wanted);
  return PY_DIR;
}

export const TIKTOKEN_DIR = resolve(import.meta.dir, '../.tmp/tiktoken');
const TIKTOKEN_FILES = [
  { name: 'cl100k_base', sha256: '223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7' },
  { name: 'o200k_base', sha256: '446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d' },
];

export async function ensureTiktokenCache(): Promise<string> {
  mkdirSync(TIKTOKEN_DIR, { recursive: true });
  for (const f of TIKTOKEN_FILES) {
    const url = `https://openaipublic.blob.core.windows.net/encodings/${f.name}.tiktoken`;
    const path = join(TIKTOKEN_DIR, createHash('sha1').update(url).digest('hex'));
    if (existsSync(path)) continue;
    const ranks = ((await import(`gpt-tokenizer/esm/bpeRanks/${f.name}.js`)) as { default: (string | number[])[] }).default;
    const enc = new TextEncoder();
    const text = ranks.map((t, i) => `${Buffer.from(typeof t === 'string' ? enc.encode(t) : Uint8Array.from(t)).toString('base64')} ${i}`).join('\n') + '\n';
    const sha = createHash('sha256').update(text).digest('hex');
    if (sha !== f.sha256) throw new Error(`rebuilt ${f.name}.tiktoken has sha256 ${sha}, tiktoken expects ${f.sha256}`);
    writeFileSync(path, text);
  }
  return TIKTOKEN_DIR;
}

if (import.meta.main) {
  console.log(ensurePythonSdk());
  console.log(await ensureTiktokenCache());
}
