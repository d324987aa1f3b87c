/**
 * Installs the official Python `openai` SDK into .tmp/py for the tests that drive Tollgate from
 * Python (PyPI, pip --target: no virtualenv, nothing system-wide).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PY_DIR = resolve(import.meta.dir, '../.tmp/py');

export function ensurePythonSdk(): string {
  if (existsSync(join(PY_DIR, 'openai', '__init__.py'))) return PY_DIR;
  mkdirSync(PY_DIR, { recursive: true });
  const r = Bun.spawnSync(['python3', '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', PY_DIR, 'openai>=1.50'], { stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`pip install openai failed: ${r.stderr.toString().slice(-2000)}`);
  return PY_DIR;
}

if (import.meta.main) console.log(ensurePythonSdk());
