/** The machine and versions a run happened on, for the report's environment line. */
import { cpus, loadavg, release } from 'node:os';
import { run, which } from './install.ts';

export interface Environment {
  date: string;
  nproc: number;
  cpu: string;
  kernel: string;
  memory_gb: number;
  bun: string;
  node: string;
  python: string;
  git: { commit: string; dirty: boolean };
  loadavg_at_start: number[];
}

async function out(cmd: string[]): Promise<string> {
  if (!which(cmd[0]!)) return 'not installed';
  const r = await run(cmd, { timeoutMs: 10_000 });
  return r.code === 0 ? r.out.trim() : 'unknown';
}

export async function environment(root: string): Promise<Environment> {
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(await Bun.file('/proc/meminfo').text())?.[1] ?? 0);
  return {
    date: new Date().toISOString(),
    nproc: Number(await out(['nproc'])) || cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    kernel: release(),
    memory_gb: Math.round(memKb / 1024 / 1024),
    bun: Bun.version,
    node: await out(['node', '--version']),
    python: (await out(['python3', '--version'])).replace('Python ', ''),
    git: {
      // Read-only git: which commit the numbers belong to, and whether the tree had edits.
      commit: (await run(['git', '-C', root, 'rev-parse', '--short=12', 'HEAD'], { timeoutMs: 10_000 })).out.trim(),
      dirty: (await run(['git', '-C', root, 'status', '--porcelain', '--untracked-files=no', '--', 'src', 'scripts', 'package.json'], { timeoutMs: 10_000 })).out.trim() !== '',
    },
    loadavg_at_start: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
