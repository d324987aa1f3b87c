/**
 * Installs the Python client libraries the tests drive Tollgate with into .tmp/py (PyPI,
 * pip --target: no virtualenv, nothing system-wide): the official `openai` and `anthropic`
 * SDKs, and for the client matrix (test/clients/) `langchain-openai`, `litellm` and
 * `instructor`. Versions are pinned; the pins are stamped beside the packages, so changing one
 * reinstalls. `openai` is held at the newest release instructor's `jiter<0.15` allows.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PY_DIR = resolve(import.meta.dir, '../.tmp/py');
export const PY_REQUIREMENTS = ['openai==3.3.0', 'anthropic==2.15.0', 'langchain-openai==1.7.4', 'litellm==1.110.2', 'instructor==1.17.0'];

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

if (import.meta.main) console.log(ensurePythonSdk());
