import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { ensureSqld } from '../../scripts/ensure-sqld.ts';

export interface Sqld {
  url: string;
  /** The data directory and port: pass them back to start the same server again after a stop. */
  dir: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a real libSQL server (sqld) on a free loopback port with a fresh database (or again on `same`'s). */
export async function startSqld(same?: { dir: string; port: number }): Promise<Sqld> {
  const bin = ensureSqld();
  const port = same?.port ?? (await freePort());
  const dir = same?.dir ?? mkdtempSync(join(tmpdir(), 'tollgate-sqld-'));
  const proc = Bun.spawn([bin, '--http-listen-addr', `127.0.0.1:${port}`, '--db-path', join(dir, 'data.sqld'), '--no-welcome'], { cwd: dir, stdout: 'ignore', stderr: 'pipe' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (proc.exitCode !== null) throw new Error(`sqld exited with ${proc.exitCode}: ${await new Response(proc.stderr as ReadableStream).text()}`);
    if (Date.now() > deadline) throw new Error('sqld did not become healthy within 15 s');
    await Bun.sleep(50);
  }
  return {
    url,
    dir,
    port,
    async stop() {
      // sqld can take its time over SIGTERM while clients hold connections; a test run must not.
      proc.kill('SIGTERM');
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(3_000).then(() => false)]);
      if (!exited) {
        proc.kill('SIGKILL');
        await proc.exited;
      }
    },
  };
}
