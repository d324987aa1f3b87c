import { runCli } from '../../src/cli/index.ts';

export interface CliRun {
  code: number;
  /** What the process would have printed on stdout and stderr. */
  out: string;
  err: string;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * `tollgate ARGS` run in this process as `src/main.ts` runs it, from `cwd` with exactly `env` as
 * the environment: what a spawned binary would print on stdout and stderr (console, commander,
 * the logger) is captured instead, and its exit code returned. The process-wide state it borrows
 * (cwd, env, console, stdout/stderr writes, exitCode) is restored afterwards, and runs are
 * serialised, so tests may call it concurrently. Shares this process's compiled Rego compiler,
 * which is what saves a spawned binary's seconds of CPU; the packaging itself is proved by the
 * binary tests (test/e2e/binary*.e2e.test.ts).
 */
export function runCliInProcess(args: string[], opts: { cwd: string; env: Record<string, string> }): Promise<CliRun> {
  const run = queue.then(() => runOnce(args, opts));
  queue = run.catch(() => undefined);
  return run;
}

async function runOnce(args: string[], { cwd, env }: { cwd: string; env: Record<string, string> }): Promise<CliRun> {
  let out = '';
  let err = '';
  const toOut = (t: string) => void (out += t);
  const toErr = (t: string) => void (err += t);
  const line = (sink: (t: string) => void) => (...parts: unknown[]) => sink(parts.map((p) => (typeof p === 'string' ? p : Bun.inspect(p))).join(' ') + '\n');
  const saved = {
    cwd: process.cwd(),
    env: process.env,
    exitCode: process.exitCode,
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
    stdout: process.stdout.write,
    stderr: process.stderr.write,
  };
  const capture = (sink: (t: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  process.chdir(cwd);
  process.env = { ...env };
  process.exitCode = 0;
  console.log = console.info = line(toOut);
  console.warn = console.error = line(toErr);
  process.stdout.write = capture(toOut);
  process.stderr.write = capture(toErr);
  try {
    const io = { out: (t: string) => toOut(t + '\n'), err: (t: string) => toErr(t + '\n'), write: toOut };
    const code = await runCli(args, { io, env: process.env });
    return { code, out, err };
  } finally {
    process.chdir(saved.cwd);
    process.env = saved.env;
    // (Bun keeps the old value when exitCode is set to undefined.)
    process.exitCode = saved.exitCode ?? 0;
    Object.assign(console, { log: saved.log, info: saved.info, warn: saved.warn, error: saved.error });
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
  }
}
