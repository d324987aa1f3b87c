/**
 * Installs what the contenders need, once, into gitignored places: Debian packages with apt,
 * npm packages into bench/.work/<name>/, Python packages into a venv under bench/.work/. Each
 * install is time-boxed; a failure makes that contender unavailable, not the run.
 */
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Installed = { ok: true; version: string } | { ok: false; reason: string };

/** Runs a command with a time limit; the whole process group dies at the limit. */
export async function run(cmd: string[], opts: { timeoutMs: number; cwd?: string; env?: Record<string, string> }): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', detached: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }, opts.timeoutMs);
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  clearTimeout(timer);
  if (timedOut) return { code: -1, out: `timed out after ${Math.round(opts.timeoutMs / 1000)} s: ${cmd.join(' ')}` };
  return { code, out: out + err };
}

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).slice(-3).join(' | ').slice(0, 300);

export function which(bin: string): string | undefined {
  return Bun.which(bin) ?? ['/usr/sbin', '/usr/bin', '/sbin'].map((d) => join(d, bin)).find(existsSync);
}

let aptUpdated = false;

/** Makes sure `bin` exists, installing Debian package `pkg` if not. */
export async function ensureApt(bin: string, pkg: string, timeoutMs = 180_000): Promise<Installed & { path?: string }> {
  const have = which(bin);
  if (have) return { ok: true, version: await debVersion(pkg), path: have };
  if (process.getuid?.() !== 0) return { ok: false, reason: `${bin} missing and not root to apt-get install ${pkg}` };
  if (!which('apt-get')) return { ok: false, reason: `${bin} missing and no apt-get` };
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    const u = await run(['apt-get', 'update'], { timeoutMs, env });
    if (u.code !== 0) return { ok: false, reason: `apt-get update failed: ${lastLine(u.out)}` };
    aptUpdated = true;
  }
  const r = await run(['apt-get', 'install', '-y', '--no-install-recommends', pkg], { timeoutMs, env });
  const path = which(bin);
  if (r.code !== 0 || !path) return { ok: false, reason: `apt-get install ${pkg} failed: ${lastLine(r.out)}` };
  return { ok: true, version: await debVersion(pkg), path };
}

async function debVersion(pkg: string): Promise<string> {
  const r = await run(['dpkg-query', '-W', '-f=${Version}', pkg], { timeoutMs: 10_000 });
  return r.code === 0 ? r.out.trim() : 'unknown';
}

/** `spec` (name@version) installed in `dir`/node_modules, reused when that version is there. */
export async function ensureNpm(dir: string, name: string, version: string, timeoutMs = 240_000): Promise<Installed> {
  const pkgJson = join(dir, 'node_modules', name, 'package.json');
  const current = () => (existsSync(pkgJson) ? (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version : undefined);
  if (current() === version) return { ok: true, version };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, description: 'bench contender, installed by bench/run.ts' }, null, 2));
  const npm = which('npm');
  if (!npm) return { ok: false, reason: 'npm not found' };
  const r = await run([npm, 'install', '--no-audit', '--no-fund', '--loglevel=error', `${name}@${version}`], { cwd: dir, timeoutMs });
  if (r.code !== 0 || current() !== version) return { ok: false, reason: `npm install ${name}@${version} failed: ${lastLine(r.out)}` };
  return { ok: true, version };
}

/** A venv at `dir` with `spec` (pip requirement) installed; reused when `module` imports at `version`. */
export async function ensureVenv(dir: string, dist: string, spec: string, version: string, timeoutMs = 420_000): Promise<Installed> {
  const py = join(dir, 'bin', 'python');
  const installedVersion = async () => {
    if (!existsSync(py)) return undefined;
    const r = await run([py, '-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(dist)}))`], { timeoutMs: 30_000 });
    return r.code === 0 ? r.out.trim() : undefined;
  };
  if ((await installedVersion()) === version) return { ok: true, version };
  const python = which('python3');
  if (!python) return { ok: false, reason: 'python3 not found' };
  const started = performance.now();
  if (!existsSync(py)) {
    const v = await run([python, '-m', 'venv', dir], { timeoutMs: 60_000 });
    if (v.code !== 0) return { ok: false, reason: `python3 -m venv failed: ${lastLine(v.out)}` };
  }
  const left = timeoutMs - (performance.now() - started);
  const r = await run([join(dir, 'bin', 'pip'), 'install', '--quiet', '--disable-pip-version-check', spec], { timeoutMs: left });
  if (r.code !== 0) return { ok: false, reason: `pip install ${spec} failed: ${lastLine(r.out)}` };
  const got = await installedVersion();
  if (got !== version) return { ok: false, reason: `pip installed ${dist} ${got ?? 'nothing'}, expected ${version}` };
  return { ok: true, version };
}
