import type { Subprocess } from 'bun';
import { childEnv } from '../support/child-env.ts';

export interface Spawned {
  url: string;
  proc: Subprocess;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  terminate(): Promise<number>;
  kill(): void;
}

/** Starts the gateway binary (or `bun src/main.ts`) and waits for its "listening on" line. */
export async function spawnBinary(cmd: string, args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<Spawned> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const proc = Bun.spawn([cmd, ...args], { cwd: opts.cwd, env: opts.env && childEnv(opts.env), stdout: 'pipe', stderr: 'pipe' });
  let out = '';
  const decoder = new TextDecoder();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within ${timeoutMs / 1000} s:\n${out}`)), timeoutMs);
    const pump = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) {
        out += decoder.decode(chunk);
        const m = /listening on (http:\/\/[^\s]+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      }
    };
    void pump(proc.stdout as ReadableStream<Uint8Array>);
    void pump(proc.stderr as ReadableStream<Uint8Array>);
    void proc.exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${out}`)));
  });
  return {
    url,
    proc,
    output: () => out,
    async terminate() {
      proc.kill('SIGTERM');
      return proc.exited;
    },
    kill: () => proc.kill('SIGKILL'),
  };
}
